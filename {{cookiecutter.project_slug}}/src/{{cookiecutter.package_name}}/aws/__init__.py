"""Everything that ties the application to AWS: clients, key source, wiring."""
