"""repcue: voice-guided audio workouts, played live or exported as one MP3."""

__version__ = "0.1.0"
