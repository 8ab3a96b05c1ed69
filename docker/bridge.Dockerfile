# The bridge under gunicorn (web) or as the outbox worker (same image, other command).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bridge ./bridge
COPY devstack ./devstack
COPY deploy/gunicorn.conf.py ./deploy/gunicorn.conf.py
# Editable install: the compiled translations below live beside the sources the app imports.
RUN pip install --no-cache-dir -e . && pybabel compile -d bridge/translations && useradd --system bridge
USER bridge
EXPOSE 8000
CMD ["sh", "-c", "flask --app bridge db upgrade && exec gunicorn --config deploy/gunicorn.conf.py --bind 0.0.0.0:8000 --workers 3 'bridge:create_app()'"]
