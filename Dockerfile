# The whole product in one image: the CLI for batch steps, the server for practitioners.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    EARLYHELP_DATA_DIR=/data

RUN apt-get update \
    && apt-get install -y --no-install-recommends make libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY earlyhelp ./earlyhelp
COPY synthcouncil ./synthcouncil
COPY features ./features
COPY model ./model
COPY serving ./serving
COPY monitoring ./monitoring
RUN pip install -c constraints.txt .

RUN useradd --create-home --uid 10001 earlyhelp && mkdir -p /data && chown earlyhelp /data
USER earlyhelp
VOLUME ["/data"]

ENTRYPOINT ["earlyhelp"]
CMD ["--help"]
