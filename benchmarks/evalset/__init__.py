"""The generated transcription/diarization evaluation set (see make_evalset.py)."""
