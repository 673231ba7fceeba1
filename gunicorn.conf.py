"""gunicorn's settings, for every place the product starts it (the Dockerfile's CMD, docker-compose.yml's web):

    gunicorn privacy_registry.wsgi:application --config gunicorn.conf.py

The access log names the path, never the query string or the referring URL: an admin search puts what was searched
for (an e-mail address, a name) in the query string, the next page's Referer repeats it, and no erasure reaches a
log file. So the format uses %(U)s (the path alone), not %(r)s (the request line) nor %(q)s, %(f)s or a {referer}i
header. Workers: gunicorn reads WEB_CONCURRENCY; more options may come in GUNICORN_CMD_ARGS.
"""

bind = "0.0.0.0:8000"  # inside the container; docker-compose.yml publishes it on the host's loopback only
accesslog = "-"
# The e-mailed links' secrets in a path are redacted too, in the access log and in the error log (which names a
# failed request's URI): privacy_registry/log_redaction.py, the rule Django's log handlers share.
logger_class = "privacy_registry.log_redaction.RedactingGunicornLogger"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
# gunicorn's runtime control socket (gunicornc, gunicorn 25+): nothing here uses it, and the image's app user
# has no writable home for it (it would only log a warning at every start).
control_socket_disable = True
