"""``python -m gridedge.data``: prepare per-site folders from SimBench (see :mod:`.prepare`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridedge.data.prepare import RESOLUTIONS, PrepareSpec, prepare
from gridedge.data.simbench_profiles import SUBSTATION_PROFILES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gridedge.data", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder to write the site folders into")
    parser.add_argument("--sites", type=int, default=2, help="number of edge sites (profiles are dealt out)")
    parser.add_argument("--site-names", default="", help="comma-separated folder names (default site-00, site-01, …)")
    parser.add_argument(
        "--profiles", default=",".join(SUBSTATION_PROFILES[:8]), help="comma-separated SimBench load profile names"
    )
    parser.add_argument("--resolution", choices=sorted(RESOLUTIONS), default="60min")
    parser.add_argument("--rating-ratio", type=float, default=0.9, help="transformer rating as a fraction of peak")
    parser.add_argument("--missing-fraction", type=float, default=0.0, help="blank this share of measurements")
    args = parser.parse_args(argv)
    try:
        manifest = prepare(
            PrepareSpec(
                out=args.out,
                sites=args.sites,
                profiles=tuple(p.strip() for p in args.profiles.split(",") if p.strip()),
                resolution=args.resolution,
                rating_ratio=args.rating_ratio,
                missing_fraction=args.missing_fraction,
                site_names=tuple(n.strip() for n in args.site_names.split(",") if n.strip()),
            )
        )
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for site, info in manifest["sites"].items():
        print(f"{args.out / site}: {', '.join(info['assets'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
