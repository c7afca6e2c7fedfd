# syntax=docker/dockerfile:1
# GridEdge statistics algorithm image: python -m gridedge_sdk.algorithms.statistics
# Build from the repository root:
#   docker build -f algorithm_images/docker/statistics.Dockerfile -t gridedge/statistics:0.1.0 .
# The base is pinned by exact version; pin its digest too once a registry is reachable.
FROM python:3.11.7-slim-bookworm AS build
WORKDIR /src
COPY algorithm_images/pyproject.toml ./pyproject.toml
COPY algorithm_images/gridedge_sdk ./gridedge_sdk
COPY gridedge/__init__.py ./gridedge/__init__.py
COPY gridedge/contract ./gridedge/contract
COPY algorithm_images/docker/requirements-statistics.txt ./requirements.txt
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt . \
    && find /install -name __pycache__ -prune -exec rm -rf {} +

FROM python:3.11.7-slim-bookworm
COPY --from=build /install /usr/local
# The EdgeTask's securityContext runs as 1000:1000 (runAsNonRoot); the image agrees.
RUN groupadd --gid 1000 gridedge && useradd --uid 1000 --gid 1000 --no-create-home --shell /usr/sbin/nologin gridedge
USER 1000:1000
WORKDIR /tmp
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
ENTRYPOINT ["python", "-m", "gridedge_sdk.algorithms.statistics"]
