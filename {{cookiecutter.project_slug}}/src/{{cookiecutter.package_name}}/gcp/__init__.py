"""The Google Cloud edge: Firestore client, wiring of the services, the ASGI forwarding."""
