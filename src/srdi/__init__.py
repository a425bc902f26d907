"""常熟市专精特新企业培育服务平台 — SRDI cultivation platform."""

__version__ = "0.1.0"
