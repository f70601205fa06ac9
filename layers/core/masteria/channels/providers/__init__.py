"""Channels as providers: each provider (Meta's Cloud API, SMS…) in a folder of its own behind one port."""
