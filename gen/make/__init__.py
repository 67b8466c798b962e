"""Making outputs: pipeline, TeX, cache, staged writes; the only room that runs processes."""
