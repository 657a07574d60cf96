"""gunicorn's settings for Canlian (deploy/canlian-web.service runs
`gunicorn -c deploy/gunicorn.conf.py config.wsgi`). Everything can be set from the environment."""

import multiprocessing
import os

bind = os.getenv("CANLIAN_BIND", "127.0.0.1:8000")
# Synchronous workers: requests are short, long work goes to `canlian worker`.
workers = int(os.getenv("CANLIAN_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
threads = int(os.getenv("CANLIAN_THREADS", "1"))
# A PDF or a large page may take seconds; nothing legitimate takes a minute.
timeout = int(os.getenv("CANLIAN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), so memory cannot creep.
max_requests = 2000
max_requests_jitter = 200
# Uploads are read by the application (IMPORT_MAX_BYTES); headers stay small.
limit_request_field_size = 8190
forwarded_allow_ips = os.getenv("CANLIAN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# The server's own logs as the application's: JSON lines on stderr, ID, bank and phone numbers
# masked (canlian/lib/logs.py), the access log's request line included.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "canlian.lib.logs.Redact"}},
    "formatters": {"json": {"()": "canlian.lib.logs.JsonFormatter"}},
    "handlers": {
        "json": {
            "class": "logging.StreamHandler",
            "filters": ["redact"],
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": os.getenv("LOG_LEVEL", "WARNING"), "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["json"], "propagate": False},
    },
}
