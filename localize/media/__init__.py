"""Every ffmpeg/ffprobe call: probing, decoding, loudness, muxing, shot changes."""
