# Two commands for a newcomer: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HTMX := static/vendor/htmx.min.js
PORT ?= 8000
BASE_URL ?=

.PHONY: run test e2e bench-pdf install system-deps db clean

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(HTMX): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $(HTMX)

install: $(VENV)/.installed $(HTMX)

db: install
	$(VENV)/bin/flask --app app init-db

run: db
	$(VENV)/bin/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 --worker-class gthread "app:create_app()"

# Debian packages the tests need: Chromium and a CJK font for the browser, poppler for PDF checks,
# tesseract (with its Chinese data) for the 脱敏 check of images and scans.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -d /usr/share/fonts/opentype/noto ] || missing="$$missing fonts-noto-cjk"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr"; \
	[ -e /usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata ] || missing="$$missing tesseract-ocr-chi-sim"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

test: install system-deps
	$(PY) -m pytest tests e2e -q -p no:cacheprovider

e2e: install system-deps
	$(PY) -m pytest e2e -q $(if $(BASE_URL),--base-url $(BASE_URL)) --tracing retain-on-failure --screenshot only-on-failure --output test-results

bench-pdf: install
	$(PY) bench/bench_pdf.py

clean:
	rm -rf $(VENV) node_modules static/vendor instance test-results
