"""Reference layers: roads, water, buildings and landmarks drawn under the map, never counted."""
