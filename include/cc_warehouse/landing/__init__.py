"""Landing zone: immutable, content-addressed extract files and their manifests."""
