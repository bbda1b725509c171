"""Earbud buttons and media keys: the player on the session D-Bus as an MPRIS media player.

Desktops hand media keys and Bluetooth earbud buttons to the MPRIS player on the session bus
(``org.mpris.MediaPlayer2.repcue``). Calls arrive on dbus-fast's asyncio loop in a thread of
its own and become ``Command``s the player polls, like keys; each status the player shows
updates ``PlaybackStatus`` and ``Metadata`` (exercise, set, workout) when they change.

Play/Pause toggles, Play and Pause do what they say, Next goes to the next set, Previous
restarts the set (again: the set before), Stop ends the session as ``q`` does.
"""

# No ``from __future__ import annotations``: dbus-fast reads the D-Bus signatures from the
# annotations at class creation.

import asyncio
import queue
import threading
from typing import Annotated, Any

from dbus_fast import BusType, PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusDict,
    DBusDouble,
    DBusInt64,
    DBusSignature,
    DBusStr,
)
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

from repcue.player.controls import Command
from repcue.player.guide import Status

BUS_NAME = "org.mpris.MediaPlayer2.repcue"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
#: How long to wait for the session bus before playing on with keys only.
CONNECT_S = 2.0

DBusStrings = Annotated[list[str], DBusSignature("as")]


class _Root(ServiceInterface):
    def __init__(self, commands: "queue.Queue[Command]") -> None:
        super().__init__("org.mpris.MediaPlayer2")
        self._commands = commands

    @dbus_method()
    def Raise(self) -> None:
        pass

    @dbus_method()
    def Quit(self) -> None:
        self._commands.put(Command.QUIT)

    @dbus_property(access=PropertyAccess.READ)
    def CanQuit(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanRaise(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def HasTrackList(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Identity(self) -> DBusStr:
        return "repcue"

    @dbus_property(access=PropertyAccess.READ)
    def SupportedUriSchemes(self) -> DBusStrings:
        return []

    @dbus_property(access=PropertyAccess.READ)
    def SupportedMimeTypes(self) -> DBusStrings:
        return []


class _Transport(ServiceInterface):
    """``org.mpris.MediaPlayer2.Player``: the buttons, and what is playing."""

    def __init__(self, commands: "queue.Queue[Command]") -> None:
        super().__init__("org.mpris.MediaPlayer2.Player")
        self._commands = commands
        self.playback_status = "Playing"
        self.metadata: dict[str, Variant] = {}
        self.position_us = 0

    @dbus_method()
    def PlayPause(self) -> None:
        self._commands.put(Command.PAUSE)

    @dbus_method()
    def Play(self) -> None:
        self._commands.put(Command.RESUME)

    @dbus_method()
    def Pause(self) -> None:
        self._commands.put(Command.HOLD)

    @dbus_method()
    def Stop(self) -> None:
        self._commands.put(Command.QUIT)

    @dbus_method()
    def Next(self) -> None:
        self._commands.put(Command.NEXT_SET)

    @dbus_method()
    def Previous(self) -> None:
        self._commands.put(Command.BACK)

    @dbus_method()
    def Seek(self, offset: DBusInt64) -> None:
        pass  # CanSeek is false: a session moves by sets

    @dbus_property(access=PropertyAccess.READ)
    def PlaybackStatus(self) -> DBusStr:
        return self.playback_status

    @dbus_property(access=PropertyAccess.READ)
    def Metadata(self) -> DBusDict:
        return self.metadata

    @dbus_property(access=PropertyAccess.READ)
    def Position(self) -> DBusInt64:
        return self.position_us

    @dbus_property(access=PropertyAccess.READ)
    def Rate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MinimumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MaximumRate(self) -> DBusDouble:
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def CanGoNext(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanGoPrevious(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPlay(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPause(self) -> DBusBool:
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanSeek(self) -> DBusBool:
        return False

    @dbus_property(access=PropertyAccess.READ)
    def CanControl(self) -> DBusBool:
        return True


def metadata(status: Status) -> dict[str, Variant]:
    """What a desktop or a phone shows for the moment: exercise and set as the title."""
    title = status.exercise or status.workout
    if status.set is not None:
        title += f" · set {status.set}/{status.sets}"
    if status.resting:
        title += " · rest"
    track = f"/org/repcue/set/{status.set}" if status.set is not None else "/org/repcue/none"
    return {
        "mpris:trackid": Variant("o", track),
        "mpris:length": Variant("x", status.total_ms * 1000),
        "xesam:title": Variant("s", title),
        "xesam:album": Variant("s", status.workout),
        "xesam:artist": Variant("as", ["repcue"]),
    }


class MediaKeys:
    """The MPRIS service: a ``Controls`` (its button presses) and a ``Display`` (its state)."""

    def __init__(self) -> None:
        self._commands: queue.Queue[Command] = queue.Queue()
        self._loop = asyncio.new_event_loop()
        self._root = _Root(self._commands)
        self._transport = _Transport(self._commands)
        self._bus: MessageBus | None = None
        self._ready = threading.Event()
        self.failure: str | None = None
        self._shown: tuple[str, dict[str, Any]] | None = None
        self._thread = threading.Thread(target=self._run, name="repcue-mpris", daemon=True)

    def begin(self) -> None:
        """Start joining the bus in the background, so it overlaps the session's loading."""
        if self._thread.ident is None:
            self._thread.start()

    def connect(self, timeout: float = CONNECT_S) -> bool:
        """Join the session bus; False (and ``failure`` says why) when there is none."""
        self.begin()
        if not self._ready.wait(timeout):
            self.failure = "the session D-Bus did not answer"
        return self.failure is None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            try:
                self._loop.run_until_complete(self._export())
            except Exception as err:
                self.failure = str(err) or type(err).__name__
                return
            finally:
                self._ready.set()
            self._loop.run_forever()
        finally:
            # Closed here, on its own thread. Left to the garbage collector at exit, a loop
            # whose sockets had gone first printed a ValueError traceback after the lines
            # a Ctrl-C prints (seen under load, without a session bus).
            self._loop.close()

    async def _export(self) -> None:
        bus = await MessageBus(bus_type=BusType.SESSION).connect()
        bus.export(OBJECT_PATH, self._root)
        bus.export(OBJECT_PATH, self._transport)
        await bus.request_name(BUS_NAME)
        self._bus = bus

    # --- Controls ----------------------------------------------------------------------------

    def start(self) -> None:
        pass

    def poll(self) -> list[Command]:
        commands = []
        while True:
            try:
                commands.append(self._commands.get_nowait())
            except queue.Empty:
                return commands

    def stop(self) -> None:
        bus, self._bus = self._bus, None  # nothing more is sent: the loop is closed after
        if bus is None:
            return
        self._update("Stopped", self._transport.metadata, 0)
        self._loop.call_soon_threadsafe(bus.disconnect)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=1)

    # --- Display -----------------------------------------------------------------------------

    def show(self, status: Status) -> None:
        if self._bus is None:
            return
        playing = "Paused" if status.paused else "Playing"
        data = metadata(status)
        key = (playing, {k: v.value for k, v in data.items()})
        if key == self._shown:
            self._transport.position_us = status.position_ms * 1000
            return
        self._shown = key
        self._update(playing, data, status.position_ms * 1000)

    def note(self, message: str) -> None:
        pass

    def _update(self, playing: str, data: dict[str, Variant], position_us: int) -> None:
        def apply() -> None:
            changed: dict[str, Any] = {}
            if playing != self._transport.playback_status:
                changed["PlaybackStatus"] = playing
            if data != self._transport.metadata:
                changed["Metadata"] = data
            self._transport.playback_status = playing
            self._transport.metadata = data
            self._transport.position_us = position_us
            if changed:
                self._transport.emit_properties_changed(changed)

        self._loop.call_soon_threadsafe(apply)
