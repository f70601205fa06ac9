"""The local runtime: the same handlers as on AWS, driven by uvicorn, a queue pump and a schedule loop."""
