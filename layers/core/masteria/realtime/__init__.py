"""Live updates over WebSocket: frames, topics, who may receive what, and catching up."""
