"""jiuzhu: service-type social assistance."""
