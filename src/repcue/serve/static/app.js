// Follow-along page: the cue being spoken (from the .vtt track), where you are, what is next,
// set-by-set jumps, and Media Session so the lock screen and earbud buttons skip sets.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("session-data").textContent);
  const audio = document.getElementById("player");
  const cueText = document.getElementById("cue");
  const whereText = document.getElementById("where");
  const nextText = document.getElementById("next");
  const playButton = document.getElementById("play");
  const chapterItems = Array.from(document.querySelectorAll("#chapters li"));
  const sets = data.chapters.filter((c) => c.level === 1);
  const picture = document.querySelector(".session-picture");
  const playhead = picture ? picture.querySelector(".playhead") : null;
  // Jumping back within this many seconds of a set's start goes to the set before it.
  const BACK_GRACE = 3;

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const m = Math.floor(s / 60);
    const h = Math.floor(m / 60);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m % 60)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }

  function lastAtOrBefore(list, key, value) {
    let found = -1;
    for (let i = 0; i < list.length && list[i][key] <= value; i++) found = i;
    return found;
  }

  function seek(seconds) {
    audio.currentTime = Math.max(0, Math.min(seconds, audio.duration || seconds));
    update();
  }

  function nextSet() {
    const now = audio.currentTime;
    const target = sets.find((c) => c.start > now + 0.25);
    if (target) seek(target.start);
  }

  function previousSet() {
    const now = audio.currentTime;
    const i = lastAtOrBefore(sets, "start", now + 0.25);
    if (i < 0) return seek(0);
    if (now - sets[i].start > BACK_GRACE || i === 0) return seek(sets[i].start);
    seek(sets[i - 1].start);
  }

  // The cue: the track's active cue; in the gaps between cues the last one said stays, dimmed
  // (also after a jump into a gap, when nothing was on screen before).
  const track = audio.querySelector("track").track;
  track.mode = "hidden";
  function showCue() {
    const active = track.activeCues;
    if (active && active.length) {
      cueText.textContent = active[active.length - 1].text;
      cueText.classList.remove("past");
      return;
    }
    const cues = Array.from(track.cues || []);
    const said = lastAtOrBefore(cues, "endTime", audio.currentTime);
    cueText.textContent = said >= 0 ? cues[said].text : "";
    cueText.classList.add("past");
  }
  track.addEventListener("cuechange", showCue);
  // A jump from one gap to another changes no active cue, so no cuechange follows it.
  audio.addEventListener("seeked", showCue);

  function describe(moment) {
    if (!moment) return "Intro";
    let text = moment.ex || "";
    if (moment.set) {
      text += ` · set ${moment.set}${moment.of ? " of " + moment.of : ""}`;
      if (moment.side) text += ` (${moment.side})`;
    }
    if (moment.rest) text += " · rest";
    else if (moment.rep) text += ` · rep ${moment.rep}`;
    return text;
  }

  let shownChapter = -2;
  function update() {
    const now = audio.currentTime;
    const ms = now * 1000;
    whereText.textContent = describe(data.moments[lastAtOrBefore(data.moments, "t", ms)]);
    const upcoming = data.chapters.find((c) => c.start > now + 0.25);
    nextText.textContent = upcoming
      ? `Next: ${upcoming.title} in ${clock(upcoming.start - now)}`
      : "Last set: finish strong";
    const current = lastAtOrBefore(data.chapters, "start", now + 0.25);
    if (current !== shownChapter) {
      chapterItems.forEach((li, i) => li.classList.toggle("current", i === current));
      shownChapter = current;
      setMetadata(current >= 0 ? data.chapters[current].title : data.title);
    }
    if (playhead) {
      const left = Number(picture.dataset.plotLeft);
      const width = Number(picture.dataset.plotWidth);
      const total = Number(picture.dataset.durationMs) || 1;
      const share = Math.min(1, Math.max(0, (ms - data.leadInMs) / total));
      const x = (left + width * share).toFixed(1);
      playhead.setAttribute("x1", x);
      playhead.setAttribute("x2", x);
      playhead.setAttribute("visibility", "visible");
    }
    if ("mediaSession" in navigator && audio.duration) {
      try {
        navigator.mediaSession.setPositionState({
          duration: audio.duration, position: Math.min(now, audio.duration),
          playbackRate: audio.playbackRate,
        });
      } catch (e) { /* some browsers refuse position state; the controls still work */ }
    }
  }

  function setMetadata(chapterTitle) {
    if (!("mediaSession" in navigator) || typeof MediaMetadata === "undefined") return;
    navigator.mediaSession.metadata = new MediaMetadata({
      title: data.title, artist: chapterTitle, album: "repcue",
      artwork: [{ src: data.cover, sizes: "256x256", type: "image/png" }],
    });
  }

  function setMediaHandlers() {
    if (!("mediaSession" in navigator)) return;
    const handlers = {
      play: () => audio.play(),
      pause: () => audio.pause(),
      previoustrack: previousSet,
      nexttrack: nextSet,
      seekbackward: (d) => seek(audio.currentTime - ((d && d.seekOffset) || 10)),
      seekforward: (d) => seek(audio.currentTime + ((d && d.seekOffset) || 10)),
      seekto: (d) => seek(d.seekTime),
    };
    const set = [];
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        navigator.mediaSession.setActionHandler(action, handler);
        set.push(action);
      } catch (e) { /* an action this browser does not know */ }
    }
    document.body.dataset.mediaActions = set.join(" ");
  }

  playButton.addEventListener("click", () => (audio.paused ? audio.play() : audio.pause()));
  audio.addEventListener("play", () => { playButton.textContent = "Pause"; });
  audio.addEventListener("pause", () => { playButton.textContent = "Play"; });
  document.getElementById("next-set").addEventListener("click", nextSet);
  document.getElementById("prev-set").addEventListener("click", previousSet);
  chapterItems.forEach((li) => {
    li.querySelector("button").addEventListener("click", (event) => {
      seek(Number(event.currentTarget.dataset.start));
      audio.play();
    });
  });
  ["timeupdate", "seeked", "loadedmetadata"].forEach((name) => audio.addEventListener(name, update));
  setMediaHandlers();
  update();
})();
