"""{{ cookiecutter.project_slug }}: background jobs delivered by Upstash QStash.

The flow: QStash signs and POSTs a message to a verified route, the route validates the job's
payload and hands it off to a durable queue, and a worker runs the job once per message id.
"""
