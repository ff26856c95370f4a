# Images, Docker Compose and the deploy checks. Included by the Makefile, whose variables
# (PYTHON, TOOLS, VENV, PY) it uses. See docs/deploy.md.

# The check tools (checkov, kubernetes-validate, yamllint, check-jsonschema, hadolint) live in
# their own venv, pinned in deploy/checks/requirements.txt: checkov's dependency tree is far too
# large to share uv.lock with the services.
# Kept outside the clone, keyed by the pinned requirements, so a fresh clone on a machine that
# installed them once (CI runs in a fresh clone each time) does not spend a minute on pip.
QORGAU_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/qorgau
CHECKS_VENV := $(QORGAU_CACHE)/checks-$(shell cat deploy/checks/requirements.txt | $(PYTHON) -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:12])')
export QORGAU_CHECKS_BIN := $(CHECKS_VENV)/bin
CHECKS_REQUIREMENTS := deploy/checks/requirements.txt
COMPOSE ?= docker compose
COMPOSE_ARGS := --file deploy/compose.yaml $(if $(wildcard .env),--env-file .env)

.PHONY: deploy-tools deploy-check up down

$(CHECKS_VENV)/.installed: | $(CHECKS_REQUIREMENTS)  # order-only: the path has the hash; a fresh clone has newer mtimes
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "The deploy checks need Python 3.11 or newer as '$(PYTHON)' (set PYTHON=...)." >&2; exit 1; }
	rm -rf $(CHECKS_VENV)
	$(PYTHON) -m venv $(CHECKS_VENV)
	$(CHECKS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(CHECKS_REQUIREMENTS)
	@touch $@

deploy-tools: $(CHECKS_VENV)/.installed ## install the manifest and image check tools (into ~/.cache/qorgau)

deploy-check: setup deploy-tools ## validate the Dockerfile, compose file and Kubernetes manifests
	$(PY) -m pytest -ra -p no:cacheprovider tests/deploy

define NO_COMPOSE
'$(COMPOSE)' is not available. `make up` needs Docker Engine with the Compose v2 plugin:
  https://docs.docker.com/compose/install/
Without Docker, `make run` starts the same system from the locked Python packages.
endef
export NO_COMPOSE

define NO_KEY
QORGAU_INTAKE_ENCRYPTION_KEYS and QORGAU_INTAKE_LINK_KEY must be set. Add them to .env, e.g.:
  make setup && echo "QORGAU_INTAKE_ENCRYPTION_KEYS=$$($(PY) -m intake new-key)" >> .env
  echo "QORGAU_INTAKE_LINK_KEY=$$($(PY) -m intake new-link-key)" >> .env
endef
export NO_KEY

up: ## build the images and start the stack with Docker Compose (deploy/compose.yaml)
	@$(COMPOSE) version >/dev/null 2>&1 || { echo "$$NO_COMPOSE" >&2; exit 1; }
	@test -n "$$QORGAU_INTAKE_ENCRYPTION_KEYS" -a -n "$$QORGAU_INTAKE_LINK_KEY" || { echo "$$NO_KEY" >&2; exit 1; }
	$(COMPOSE) $(COMPOSE_ARGS) up --build --detach
	@echo "Qorgau is starting: intake at http://127.0.0.1:$${QORGAU_LOCAL_INTAKE_PORT:-8080}/v1/reports"
	@echo "  status: $(COMPOSE) $(COMPOSE_ARGS) ps    SMS: $(COMPOSE) $(COMPOSE_ARGS) logs -f devsmsc"

down: ## stop the Docker Compose stack (data volumes are kept; add -v by hand to drop them)
	@$(COMPOSE) version >/dev/null 2>&1 || { echo "$$NO_COMPOSE" >&2; exit 1; }
	$(COMPOSE) $(COMPOSE_ARGS) down
