"""Development tools: sign messages like QStash, run the whole flow on this machine.

Never imported by the Lambda entry points.
"""
