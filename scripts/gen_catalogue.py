#!/usr/bin/env python3
"""Generates src/intensity/catalogue_data.cc: greenrun's embedded, offline
catalogue of grid zones, cloud regions and typical-day profiles.

Usage (from the repository root):

    python3 scripts/gen_catalogue.py [DATA_DIR] [--out FILE]

DATA_DIR defaults to ../shared/data relative to the repository root; FILE
defaults to src/intensity/catalogue_data.cc. The output depends only on the
data (sorted, no timestamps), so re-running it must reproduce the committed
file; tests/intensity/gen_catalogue_test.cc checks exactly that.

Inputs (see ../shared/data/README.md and NOTICE for origins and licences):
  co2js/electricity-maps-yearly/yearly_*.json   Electricity Maps zones (ODbL)
  co2js/average-intensities-ember.json          countries, ISO-3 (CC BY-SA 4.0)
  codecarbon/private_infra/global_energy_mix.json  countries Ember lacks (MIT)
  codecarbon/private_infra/nordic_emissions.json   Nordic bidding zones (MIT)
  cloud-carbon-coefficients/data/grid-emissions-factors-{aws,azure,gcp}.csv
  carbon-aware-sdk/azure-regions.json, carbon-aware-sdk/aws-regions.json (Latin-1)
  gcp-region-carbon-info/*.csv, mlco2-impact/impact.csv, codecarbon/cloud/impact.csv
  electricitymaps-hourly/**/*.csv               typical profiles (ODbL)

Everything under "HAND-MAINTAINED FACTS" below is not derived from the data:
it is kept by hand (region -> grid zone, coordinates and locations the tables
lack, WattTime region names). Review it when cloud providers add regions.

Python 3 standard library only.
"""

import argparse
import csv
import glob
import json
import os
import sys
from collections import defaultdict

# =============================================================================
# HAND-MAINTAINED FACTS (not derived from ../shared/data)
# =============================================================================

# WattTime regions that cloud regions map to and that are not already
# catalogue ids (WattTime's "DE", "FR", "IE", "SE", "IT" equal Electricity Maps
# zone ids; "KOR", "SGP", "IND", "BRA" equal ISO-3 country ids). Their annual
# mean is the Electricity Maps zone's average life-cycle figure named here,
# NOT WattTime's marginal signal. Names are descriptive, not WattTime's own.
WATTTIME_REGIONS = [
    # (WattTime region, descriptive name, Electricity Maps zone for the annual mean)
    ("AZPS", "Arizona Public Service (WattTime)", "US-SW-AZPS"),
    ("CAISO_NORTH", "California ISO - North (WattTime)", "US-CAL-CISO"),
    ("ERCOT_SANANTONIO", "ERCOT - San Antonio (WattTime)", "US-TEX-ERCO"),
    ("GCPD", "Grant County PUD (WattTime)", "US-NW-GCPD"),
    ("HQ", "Hydro-Quebec (WattTime)", "CA-QC"),
    ("JP_TK", "Japan - Tokyo (WattTime)", "JP-TK"),
    ("NEM_NSW", "NEM - New South Wales (WattTime)", "AU-NSW"),
    ("PACW", "PacifiCorp West (WattTime)", "US-NW-PACW"),
    ("PJM_CHICAGO", "PJM - Chicago (WattTime)", "US-MIDA-PJM"),
    ("PJM_DC", "PJM - DC area (WattTime)", "US-MIDA-PJM"),
    ("PJM_EASTERN_OH", "PJM - Eastern Ohio (WattTime)", "US-MIDA-PJM"),
    ("UK", "Great Britain (WattTime)", "GB"),
]

# Cloud region -> WattTime region, only where the mapping is established
# (public cloud -> WattTime tables); empty elsewhere.
REGION_WATTTIME = {
    "aws:us-east-1": "PJM_DC", "aws:us-east-2": "PJM_EASTERN_OH",
    "aws:us-west-1": "CAISO_NORTH", "aws:us-west-2": "PACW",
    "aws:ca-central-1": "HQ", "aws:eu-west-1": "IE", "aws:eu-west-2": "UK",
    "aws:eu-west-3": "FR", "aws:eu-central-1": "DE", "aws:eu-north-1": "SE",
    "aws:eu-south-1": "IT", "aws:ap-northeast-1": "JP_TK", "aws:ap-northeast-2": "KOR",
    "aws:ap-southeast-1": "SGP", "aws:ap-southeast-2": "NEM_NSW", "aws:ap-south-1": "IND",
    "aws:sa-east-1": "BRA",
    "azure:eastus": "PJM_DC", "azure:westus": "CAISO_NORTH", "azure:westus2": "GCPD",
    "azure:westus3": "AZPS", "azure:southcentralus": "ERCOT_SANANTONIO",
    "azure:northcentralus": "PJM_CHICAGO",
    "gcp:us-east4": "PJM_DC",
}

# Cloud region -> Electricity Maps zone of the grid that supplies it.
REGION_ZONE = {
    # AWS
    "aws:us-east-1": "US-MIDA-PJM", "aws:us-east-2": "US-MIDA-PJM",
    "aws:us-west-1": "US-CAL-CISO", "aws:us-west-2": "US-NW-BPAT",
    "aws:us-gov-east-1": "US-MIDA-PJM", "aws:us-gov-west-1": "US-NW-BPAT",
    "aws:ca-central-1": "CA-QC", "aws:eu-north-1": "SE-SE3", "aws:eu-west-1": "IE",
    "aws:eu-west-2": "GB", "aws:eu-west-3": "FR", "aws:eu-central-1": "DE",
    "aws:eu-south-1": "IT-NO", "aws:af-south-1": "ZA", "aws:ap-northeast-1": "JP-TK",
    "aws:ap-northeast-2": "KR", "aws:ap-northeast-3": "JP-KN", "aws:ap-southeast-1": "SG",
    "aws:ap-southeast-2": "AU-NSW", "aws:ap-east-1": "HK", "aws:ap-south-1": "IN-WE",
    "aws:sa-east-1": "BR-CS", "aws:me-south-1": "BH", "aws:cn-north-1": "CN",
    "aws:cn-northwest-1": "CN",
    # Azure
    "azure:eastus": "US-MIDA-PJM", "azure:eastus2": "US-MIDA-PJM",
    "azure:eastus2euap": "US-MIDA-PJM", "azure:eastusstg": "US-MIDA-PJM",
    "azure:eastus3": "US-SE-SOCO", "azure:southcentralus": "US-TEX-ERCO",
    "azure:westus": "US-CAL-CISO", "azure:westus2": "US-NW-GCPD",
    "azure:westus3": "US-SW-AZPS", "azure:centralus": "US-MIDW-MISO",
    "azure:centraluseuap": "US-MIDW-MISO", "azure:northcentralus": "US-MIDA-PJM",
    "azure:westcentralus": "US-NW-WACM", "azure:australiaeast": "AU-NSW",
    "azure:australiasoutheast": "AU-VIC", "azure:australiacentral": "AU-NSW",
    "azure:australiacentral2": "AU-NSW", "azure:southeastasia": "SG",
    "azure:eastasia": "HK", "azure:northeurope": "IE", "azure:westeurope": "NL",
    "azure:swedencentral": "SE-SE3", "azure:uksouth": "GB", "azure:ukwest": "GB",
    "azure:southafricanorth": "ZA", "azure:southafricawest": "ZA",
    "azure:centralindia": "IN-WE", "azure:westindia": "IN-WE", "azure:southindia": "IN-SO",
    "azure:jioindiawest": "IN-WE", "azure:jioindiacentral": "IN-WE",
    "azure:japaneast": "JP-TK", "azure:japanwest": "JP-KN", "azure:koreacentral": "KR",
    "azure:koreasouth": "KR", "azure:canadacentral": "CA-ON", "azure:canadaeast": "CA-QC",
    "azure:francecentral": "FR", "azure:francesouth": "FR",
    "azure:germanywestcentral": "DE", "azure:germanynorth": "DE",
    "azure:italynorth": "IT-NO", "azure:norwayeast": "NO-NO1", "azure:norwaywest": "NO-NO2",
    "azure:polandcentral": "PL", "azure:spaincentral": "ES", "azure:mexicocentral": "MX",
    "azure:brazilsouth": "BR-CS", "azure:brazilsoutheast": "BR-CS",
    "azure:israelcentral": "IL", "azure:qatarcentral": "QA",
    "azure:switzerlandnorth": "CH", "azure:switzerlandwest": "CH",
    "azure:uaenorth": "AE", "azure:uaecentral": "AE", "azure:finlandcentral": "FI",
    "azure:belgiumcentral": "BE",
    # GCP
    "gcp:africa-south1": "ZA", "gcp:asia-east1": "TW", "gcp:asia-east2": "HK",
    "gcp:asia-northeast1": "JP-TK", "gcp:asia-northeast2": "JP-KN",
    "gcp:asia-northeast3": "KR", "gcp:asia-south1": "IN-WE", "gcp:asia-south2": "IN-NO",
    "gcp:asia-southeast1": "SG", "gcp:asia-southeast2": "ID",
    "gcp:australia-southeast1": "AU-NSW", "gcp:australia-southeast2": "AU-VIC",
    "gcp:europe-central2": "PL", "gcp:europe-north1": "FI", "gcp:europe-north2": "SE-SE3",
    "gcp:europe-southwest1": "ES", "gcp:europe-west1": "BE", "gcp:europe-west2": "GB",
    "gcp:europe-west3": "DE", "gcp:europe-west4": "NL", "gcp:europe-west6": "CH",
    "gcp:europe-west8": "IT-NO", "gcp:europe-west9": "FR", "gcp:europe-west10": "DE",
    "gcp:europe-west12": "IT-NO", "gcp:me-central1": "QA", "gcp:me-central2": "SA",
    "gcp:me-west1": "IL", "gcp:northamerica-northeast1": "CA-QC",
    "gcp:northamerica-northeast2": "CA-ON", "gcp:northamerica-south1": "MX",
    "gcp:southamerica-east1": "BR-CS", "gcp:southamerica-west1": "CL-SEN",
    "gcp:us-central1": "US-MIDW-MISO", "gcp:us-central2": "US-CENT-SWPP",
    "gcp:us-east1": "US-CAR-SC", "gcp:us-east2": "US-SE-SOCO",
    "gcp:us-east4": "US-MIDA-PJM", "gcp:us-east5": "US-MIDA-PJM",
    "gcp:us-south1": "US-TEX-ERCO", "gcp:us-west1": "US-NW-BPAT",
    "gcp:us-west2": "US-CAL-CISO", "gcp:us-west3": "US-NW-PACE", "gcp:us-west4": "US-NW-NEVP",
}

# Approximate coordinates (city of the region, 2 decimals) for regions whose
# tables carry none (the Carbon Aware SDK gives Azure's; nothing gives AWS's
# or GCP's).
REGION_COORDS = {
    "aws:us-east-1": (38.95, -77.45), "aws:us-east-2": (39.96, -83.00),
    "aws:us-west-1": (37.35, -121.96), "aws:us-west-2": (45.84, -119.70),
    "aws:us-gov-east-1": (39.96, -83.00), "aws:us-gov-west-1": (45.84, -119.70),
    "aws:ca-central-1": (45.50, -73.57), "aws:eu-north-1": (59.33, 18.07),
    "aws:eu-west-1": (53.35, -6.26), "aws:eu-west-2": (51.51, -0.13),
    "aws:eu-west-3": (48.86, 2.35), "aws:eu-central-1": (50.11, 8.68),
    "aws:eu-south-1": (45.46, 9.19), "aws:af-south-1": (-33.92, 18.42),
    "aws:ap-northeast-1": (35.68, 139.69), "aws:ap-northeast-2": (37.57, 126.98),
    "aws:ap-northeast-3": (34.69, 135.50), "aws:ap-southeast-1": (1.35, 103.82),
    "aws:ap-southeast-2": (-33.87, 151.21), "aws:ap-east-1": (22.32, 114.17),
    "aws:ap-south-1": (19.08, 72.88), "aws:sa-east-1": (-23.55, -46.63),
    "aws:me-south-1": (26.07, 50.56), "aws:cn-north-1": (39.90, 116.41),
    "aws:cn-northwest-1": (37.51, 105.19),
    "azure:eastus3": (33.75, -84.39), "azure:finlandcentral": (60.17, 24.94),
    "azure:belgiumcentral": (50.85, 4.35),
    "gcp:africa-south1": (-26.20, 28.05), "gcp:asia-east1": (24.07, 120.54),
    "gcp:asia-east2": (22.32, 114.17), "gcp:asia-northeast1": (35.68, 139.69),
    "gcp:asia-northeast2": (34.69, 135.50), "gcp:asia-northeast3": (37.57, 126.98),
    "gcp:asia-south1": (19.08, 72.88), "gcp:asia-south2": (28.61, 77.21),
    "gcp:asia-southeast1": (1.35, 103.71), "gcp:asia-southeast2": (-6.21, 106.85),
    "gcp:australia-southeast1": (-33.87, 151.21), "gcp:australia-southeast2": (-37.81, 144.96),
    "gcp:europe-central2": (52.23, 21.01), "gcp:europe-north1": (60.57, 27.20),
    "gcp:europe-north2": (59.33, 18.07), "gcp:europe-southwest1": (40.42, -3.70),
    "gcp:europe-west1": (50.45, 3.82), "gcp:europe-west2": (51.51, -0.13),
    "gcp:europe-west3": (50.11, 8.68), "gcp:europe-west4": (53.44, 6.83),
    "gcp:europe-west6": (47.38, 8.54), "gcp:europe-west8": (45.46, 9.19),
    "gcp:europe-west9": (48.86, 2.35), "gcp:europe-west10": (52.52, 13.40),
    "gcp:europe-west12": (45.07, 7.69), "gcp:me-central1": (25.29, 51.53),
    "gcp:me-central2": (26.43, 50.10), "gcp:me-west1": (32.09, 34.78),
    "gcp:northamerica-northeast1": (45.50, -73.57), "gcp:northamerica-northeast2": (43.65, -79.38),
    "gcp:northamerica-south1": (20.59, -100.39), "gcp:southamerica-east1": (-23.55, -46.63),
    "gcp:southamerica-west1": (-33.45, -70.67), "gcp:us-central1": (41.26, -95.86),
    "gcp:us-central2": (36.31, -95.32), "gcp:us-east1": (33.20, -80.01),
    "gcp:us-east2": (33.75, -84.39), "gcp:us-east4": (39.04, -77.49),
    "gcp:us-east5": (39.96, -83.00), "gcp:us-south1": (32.78, -96.80),
    "gcp:us-west1": (45.59, -121.18), "gcp:us-west2": (34.05, -118.24),
    "gcp:us-west3": (40.76, -111.89), "gcp:us-west4": (36.17, -115.14),
}

# Corrections to coordinates in the source tables: (lat, lon, why).
COORD_FIXES = {
    "azure:spaincentral": (40.4259, -3.4209,
                           "azure-regions.json gives longitude +3.4209; Madrid is west of Greenwich"),
}

# Locations for regions no table describes (used only where the data has none).
REGION_LOCATION = {
    "azure:swedencentral": "Gavle, Sweden", "azure:italynorth": "Milan, Italy",
    "azure:norwayeast": "Oslo, Norway", "azure:norwaywest": "Stavanger, Norway",
    "azure:polandcentral": "Warsaw, Poland", "azure:spaincentral": "Madrid, Spain",
    "azure:mexicocentral": "Queretaro, Mexico", "azure:eastus2euap": "Virginia, USA (canary)",
    "azure:israelcentral": "Israel", "azure:qatarcentral": "Doha, Qatar",
    "azure:eastusstg": "Virginia, USA (staging)", "azure:jioindiawest": "Jamnagar, India",
    "azure:switzerlandnorth": "Zurich, Switzerland", "azure:uaenorth": "Dubai, UAE",
    "azure:centraluseuap": "Iowa, USA (canary)", "azure:jioindiacentral": "Nagpur, India",
    "azure:germanynorth": "Berlin, Germany", "azure:switzerlandwest": "Geneva, Switzerland",
    "azure:uaecentral": "Abu Dhabi, UAE", "azure:brazilsoutheast": "Rio de Janeiro, Brazil",
    "azure:eastus3": "Atlanta, Georgia, USA", "azure:finlandcentral": "Helsinki, Finland",
    "azure:belgiumcentral": "Brussels, Belgium", "azure:germanywestcentral": "Frankfurt, Germany",
    "azure:westus3": "Phoenix, Arizona, USA",
    "gcp:europe-north2": "Stockholm, Sweden", "gcp:me-central1": "Doha, Qatar",
    "gcp:northamerica-south1": "Queretaro, Mexico", "gcp:us-central2": "Oklahoma, USA",
    "gcp:us-east2": "Georgia, USA",
}

# Typos in the source tables: the row's region id -> the real region id.
REGION_ALIASES = {
    "gcp:me-cenrtal1": "gcp:me-central1",  # codecarbon/cloud/impact.csv
}

# Regions a source lists that the catalogue leaves out, with the reason.
EXCLUDED_REGIONS = {
    "azure:brazilus": "carbon-aware-sdk azure-regions.json places it at 0,0; no public location",
}

# Grid figures in the source tables that cannot be read as numbers of the
# stated unit; left out (no provider figure) rather than guessed.
#   grid-emissions-factors-azure.csv: "Finland Central ... 000077" and
#   "Germany West Central ... 000402" (t/kWh with the "0." missing).

# =============================================================================
# Derived from the data
# =============================================================================

PROVIDERS = ("aws", "azure", "gcp")


def die(msg):
    sys.exit("gen_catalogue.py: " + msg)


def read_csv(path, encoding="utf-8"):
    with open(path, newline="", encoding=encoding) as f:
        return list(csv.DictReader(f))


def rel(data, path):
    return os.path.relpath(path, data).replace(os.sep, "/")


def load_zones(data):
    """Returns a list of zone dicts, sorted by id, and the id -> zone map."""
    zones = {}

    def add(z):
        key = z["id"].upper()
        if key in zones:
            die(f"zone id {z['id']} defined twice ({zones[key]['source']} / {z['source']})")
        zones[key] = z

    # Electricity Maps yearly (co2.js): latest year with a value per zone.
    em = {}
    for path in sorted(glob.glob(os.path.join(data, "co2js/electricity-maps-yearly/yearly_*.json"))):
        year = int(os.path.basename(path)[len("yearly_"):-len(".json")])
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for zid, entry in doc.items():
            value = (entry.get("carbonIntensity") or {}).get("value")
            if value is None:
                continue
            name = (entry.get("zone") or {}).get("zoneName") or zid
            em[zid] = (year, float(value), name)  # later files overwrite earlier
    if not em:
        die("no Electricity Maps yearly files under co2js/electricity-maps-yearly")
    for zid, (year, value, name) in em.items():
        add({"id": zid, "name": name, "kind": "electricitymaps", "mean": value,
             "signal": "lca", "year": year, "fallback": "",
             "source": f"Electricity Maps yearly {year} via co2.js (ODbL)"})

    # Countries (ISO-3): Ember via co2.js, CodeCarbon for those Ember lacks.
    with open(os.path.join(data, "co2js/average-intensities-ember.json"), encoding="utf-8") as f:
        ember = json.load(f)
    world = ember.get("World")
    for key, e in ember.items():
        code = e.get("country_code") or ""
        value = e.get("emissions_intensity_gco2_per_kwh")
        if not code or value is None:
            continue
        add({"id": code, "name": e["country_or_region"], "kind": "country", "mean": float(value),
             "signal": "lca", "year": int(e["year"]), "fallback": "",
             "source": f"Ember {int(e['year'])} via co2.js average-intensities (CC BY-SA 4.0)"})
    with open(os.path.join(data, "codecarbon/private_infra/global_energy_mix.json"),
              encoding="utf-8") as f:
        mix = json.load(f)
    for code, m in mix.items():
        if code.upper() in zones or m.get("carbon_intensity") is None:
            continue
        add({"id": code, "name": m["country_name"], "kind": "country",
             "mean": float(m["carbon_intensity"]), "signal": "lca", "year": int(m["year"]),
             "fallback": "",
             "source": f"CodeCarbon global_energy_mix.json {int(m['year'])} (OWID/Ember; MIT)"})

    # Nordic bidding zones (CodeCarbon's static factors). "FI" is already an
    # Electricity Maps zone and keeps that figure.
    with open(os.path.join(data, "codecarbon/private_infra/nordic_emissions.json"),
              encoding="utf-8") as f:
        nordic = json.load(f)
    for zid, n in sorted(nordic["data"].items()):
        if zid.upper() in zones:
            continue
        add({"id": zid, "name": n["description"], "kind": "bidding-zone",
             "mean": float(n["emission_factor"]), "signal": "lca", "year": int(n["year"]),
             "fallback": "",
             "source": f"CodeCarbon nordic_emissions.json {int(n['year'])} "
                       "(static factor from ENTSO-E averages; MIT)"})

    # WattTime regions (hand-maintained names) with an Electricity Maps fallback.
    for wid, name, fallback in WATTTIME_REGIONS:
        fz = zones.get(fallback.upper())
        if fz is None:
            die(f"WattTime region {wid}: fallback zone {fallback} not in the catalogue")
        add({"id": wid, "name": name, "kind": "watttime", "mean": fz["mean"],
             "signal": fz["signal"], "year": fz["year"], "fallback": fz["id"],
             "source": f"annual mean of {fz['id']} ({fz['source']}); not WattTime's marginal signal"})

    # The world, for "no location given".
    if world is None:
        die("average-intensities-ember.json has no World entry")
    add({"id": "WORLD", "name": "World average", "kind": "world",
         "mean": float(world["emissions_intensity_gco2_per_kwh"]), "signal": "lca",
         "year": int(world["year"]), "fallback": "",
         "source": f"Ember {int(world['year'])} World via co2.js average-intensities (CC BY-SA 4.0)"})

    return [zones[k] for k in sorted(zones)], zones


def norm_azure(name):
    return name.strip().lower().replace(" ", "")


def canonical(key):
    return REGION_ALIASES.get(key, key)


def load_regions(data, zones):
    regions = defaultdict(lambda: {"name": "", "location": "", "lat": None, "lon": None,
                                   "grid": None, "grid_source": "", "sources": []})

    def get(provider, region, source):
        key = canonical(f"{provider}:{region.strip().lower()}")
        if key in EXCLUDED_REGIONS:
            return None
        r = regions[key]
        if source not in r["sources"]:
            r["sources"].append(source)
        return r

    def set_grid(r, value, source):
        if r is not None and r["grid"] is None and value is not None:
            r["grid"] = value
            r["grid_source"] = source

    # GCP's own yearly figures: the latest year that lists the region.
    gcp_years = sorted(glob.glob(os.path.join(data, "gcp-region-carbon-info/*.csv")))
    for path in reversed(gcp_years):
        year = os.path.basename(path)[:-len(".csv")]
        for row in read_csv(path):
            rid = (row.get("Google Cloud Region") or "").strip()
            if not rid:
                continue
            r = get("gcp", rid, "gcp-region-carbon-info")
            if r is None:
                continue
            if not r["location"]:
                r["location"] = row["Location"].strip()
            value = [v for k, v in row.items() if k and "carbon intensity" in k.lower()][0]
            set_grid(r, float(value), f"Google region-carbon-info {year} (Apache-2.0)")

    # Cloud Carbon Footprint factors (metric t/kWh).
    for provider in PROVIDERS:
        path = os.path.join(data, f"cloud-carbon-coefficients/data/grid-emissions-factors-{provider}.csv")
        for row in read_csv(path):
            rid = row["Region"] if provider != "azure" else norm_azure(row["Region"])
            r = get(provider, rid, f"cloud-carbon-coefficients {provider}")
            if r is None:
                continue
            if provider == "azure" and not r["name"]:
                r["name"] = row["Region"].strip()
            raw = row["CO2e (metric ton/kWh)"].strip()
            if raw.startswith("0."):
                set_grid(r, float(raw) * 1e6,
                         f"Cloud Carbon Footprint {row['Source'].strip()} factor (Apache-2.0)")
            # else: malformed upstream (see the note above); no figure.
            if provider == "aws" and not r["location"]:
                r["country"] = row["Country"].strip()

    # Carbon Aware SDK: Azure coordinates, AWS names (Latin-1 file).
    with open(os.path.join(data, "carbon-aware-sdk/azure-regions.json"), encoding="utf-8") as f:
        for rid, a in json.load(f).items():
            r = get("azure", rid, "carbon-aware-sdk azure-regions.json")
            if r is None:
                continue
            r["lat"], r["lon"] = float(a["Latitude"]), float(a["Longitude"])
            r["coord_source"] = "Carbon Aware SDK"
    with open(os.path.join(data, "carbon-aware-sdk/aws-regions.json"), encoding="latin-1") as f:
        for a in json.load(f):
            r = get("aws", a["code"], "carbon-aware-sdk aws-regions.json")
            if r is None:
                continue
            r["name"] = a["full_name"]
            r["aws_city"] = a["name"]

    # ML CO2 Impact and CodeCarbon cloud tables: locations, names, figures.
    for path, label, enc in (
            (os.path.join(data, "codecarbon/cloud/impact.csv"), "CodeCarbon cloud/impact.csv (MIT)", "utf-8-sig"),
            (os.path.join(data, "mlco2-impact/impact.csv"), "ML CO2 Impact impact.csv (MIT)", "utf-8")):
        for row in read_csv(path, enc):
            provider = row["provider"].strip()
            if provider not in PROVIDERS or not row["region"].strip():
                continue
            r = get(provider, row["region"], label.split(" (")[0])
            if r is None:
                continue
            if not r["name"] and row.get("regionName", "").strip():
                r["name"] = row["regionName"].strip()
            country = (row.get("country_name") or row.get("country") or "").strip()
            parts = [p.strip().rstrip(",") for p in (row.get("city", ""), row.get("state", ""), country)]
            loc = ", ".join(p for i, p in enumerate(parts) if p and p not in parts[:i])
            if provider == "gcp" and r["location"] and country and country not in r["location"]:
                r["location"] = f"{r['location']}, {country}"
            elif provider == "azure" and not r["location"]:
                r["location"] = loc
            elif provider == "aws" and not r.get("table_city") and row.get("city", "").strip():
                r["table_city"] = row["city"].strip()
            if row["impact"].strip():
                set_grid(r, float(row["impact"]), label)

    out = []
    problems = []
    for key in sorted(regions):
        r = regions[key]
        provider, rid = key.split(":", 1)
        if provider == "aws" and not r["location"]:
            city, country = r.get("aws_city", ""), r.get("country", "")
            if city == country and r.get("table_city"):
                city = r["table_city"]  # aws-regions.json names ca-central-1 just "Canada"
            r["location"] = city if not country or country == city else f"{city}, {country}"
        if not r["location"]:
            r["location"] = REGION_LOCATION.get(key, "")
        if key in COORD_FIXES:
            r["lat"], r["lon"] = COORD_FIXES[key][0], COORD_FIXES[key][1]
            r["coord_source"] = "Carbon Aware SDK, corrected by hand"
        if r["lat"] is None and key in REGION_COORDS:
            r["lat"], r["lon"] = REGION_COORDS[key]
            r["coord_source"] = "hand-kept"
        zone = REGION_ZONE.get(key)
        missing = [what for what, v in (("zone", zone), ("location", r["location"]),
                                        ("coordinates", r["lat"])) if v in (None, "")]
        if missing:
            problems.append(f"region {key} (from {', '.join(r['sources'])}) has no "
                            f"{', '.join(missing)}: add it to the hand-maintained tables")
            continue
        if zone.upper() not in zones:
            die(f"region {key}: zone {zone} is not in the catalogue")
        wt = REGION_WATTTIME.get(key, "")
        if wt and wt.upper() not in zones:
            die(f"region {key}: WattTime region {wt} is not in the catalogue")
        source = "listed by " + ", ".join(r["sources"]) + f"; coordinates {r['coord_source']}" \
                 + "; zone hand-kept"
        out.append({"provider": provider, "region": rid, "zone": zones[zone.upper()]["id"],
                    "location": r["location"], "lat": r["lat"], "lon": r["lon"],
                    "grid": r["grid"], "source": source, "name": r["name"], "watttime": wt,
                    "grid_source": r["grid_source"]})
    if problems:
        die("\n".join(problems))
    for key in (list(REGION_ZONE) + list(REGION_COORDS) + list(REGION_WATTTIME)
                + list(REGION_LOCATION) + list(COORD_FIXES)):
        if key not in regions:
            die(f"hand-kept entry {key} matches no region in the data (typo?)")
    return out


def load_profiles(data):
    hours = defaultdict(dict)  # zone -> {timestamp: (direct, lca, estimated)}
    files = defaultdict(list)
    duplicates = defaultdict(int)
    paths = sorted(glob.glob(os.path.join(data, "electricitymaps-hourly/**/*.csv"), recursive=True))
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            cols = [h.lower() for h in header]
            i_time = 0
            i_zone = next(i for i, h in enumerate(cols) if h.startswith("zone id"))
            i_direct = next(i for i, h in enumerate(cols) if h.startswith("carbon intensity") and "direct" in h)
            i_lca = next(i for i, h in enumerate(cols) if h.startswith("carbon intensity")
                         and ("lca" in h or "life cycle" in h))
            i_est = next(i for i, h in enumerate(cols) if h == "data estimated")
            seen_zone = None
            for lineno, row in enumerate(reader, start=2):
                if not row:
                    continue
                zone = row[i_zone].strip()
                if seen_zone is None:
                    seen_zone = zone
                    files[zone].append(rel(data, path))
                elif zone != seen_zone:
                    die(f"{path}:{lineno}: zone {zone} differs from {seen_zone}")
                ts = row[i_time].strip()
                if ts in hours[zone]:
                    duplicates[zone] += 1
                    continue
                hours[zone][ts] = (float(row[i_direct]), float(row[i_lca]),
                                   row[i_est].strip().lower() == "true")
    profiles = []
    for zone in sorted(hours):
        cells = {sig: [[[0.0, 0] for _ in range(24)] for _ in range(12)] for sig in (0, 1)}
        years = set()
        estimated = 0
        for ts, (direct, lca, est) in hours[zone].items():
            year, month, hour = int(ts[0:4]), int(ts[5:7]), int(ts[11:13])
            years.add(year)
            estimated += est
            for sig, value in ((0, direct), (1, lca)):
                c = cells[sig][month - 1][hour]
                c[0] += value
                c[1] += 1
        n = len(hours[zone])
        span = f"{min(years)}" if min(years) == max(years) else f"{min(years)}-{max(years)}"
        dup = f", {duplicates[zone]} duplicate hours ignored" if duplicates[zone] else ""
        for sig, name, col in ((1, "lca", "LCA"), (0, "direct", "direct")):
            grid = []
            for m in range(12):
                row = []
                for h in range(24):
                    total, count = cells[sig][m][h]
                    if count == 0:
                        die(f"zone {zone}: no data for month {m + 1} hour {h}")
                    row.append(total / count)
                grid.append(row)
            source = (f"Electricity Maps hourly ({col} column; ODbL): {', '.join(files[zone])}; "
                      f"{span}, {n} h, {100.0 * estimated / n:.1f}% estimated{dup}")
            profiles.append({"zone": zone, "signal": name, "source": source, "grid": grid})
    return profiles


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

SIGNALS = {"lca": "Signal::kAverageLifecycle", "direct": "Signal::kAverageDirect"}


def cstr(s):
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    if any(ord(ch) > 126 or ord(ch) < 32 for ch in out):
        out = "".join(ch if 32 <= ord(ch) <= 126 else
                      "".join(f"\\{b:03o}" for b in ch.encode("utf-8")) for ch in out)
    return f'"{out}"'


def num(x):
    s = f"{x:.1f}"
    return "0.0" if s == "-0.0" else s


def render(zones, regions, profiles):
    out = []
    w = out.append
    w("// GENERATED by scripts/gen_catalogue.py from ../shared/data -- do not edit by hand.")
    w("// Regenerate from the repository root with:")
    w("//   python3 scripts/gen_catalogue.py ../shared/data --out src/intensity/catalogue_data.cc")
    w("// Sources and licences: NOTICE (Electricity Maps data: ODbL 1.0, this table is a")
    w("// derived database under the same licence; Ember via co2.js: CC BY-SA 4.0; ...).")
    w(f"// {len(zones)} zones, {len(regions)} cloud regions, {len(profiles)} typical profiles.")
    w("#include <optional>")
    w("")
    w('#include "greenrun/intensity/zone_catalogue.h"')
    w("")
    w("namespace greenrun::intensity::detail {")
    w("namespace {")
    w("")
    # Zone sources repeat a lot: one constant each.
    sources = sorted({z["source"] for z in zones})
    sid = {s: f"kZs{i}" for i, s in enumerate(sources)}
    for s in sources:
        w(f"constexpr std::string_view {sid[s]} = {cstr(s)};")
    w("")
    w("// id, name, kind, annual mean g/kWh, signal, year, source, fallback zone")
    w("constexpr ZoneInfo kZones[] = {")
    for z in zones:
        w(f"    {{{cstr(z['id'])}, {cstr(z['name'])}, {cstr(z['kind'])}, {num(z['mean'])}, "
          f"{SIGNALS[z['signal']]}, {z['year']}, {sid[z['source']]}, {cstr(z['fallback'])}}},")
    w("};")
    w("")
    w("// provider, region, zone, location, lat, lon, provider's grid g/kWh, source, name,")
    w("// WattTime region, source of the provider's figure")
    w("constexpr CloudRegion kRegions[] = {")
    for r in regions:
        grid = "std::nullopt" if r["grid"] is None else num(r["grid"])
        w(f"    {{{cstr(r['provider'])}, {cstr(r['region'])}, {cstr(r['zone'])}, "
          f"{cstr(r['location'])}, {r['lat']:.4f}, {r['lon']:.4f}, {grid},")
        w(f"     {cstr(r['source'])},")
        w(f"     {cstr(r['name'])}, {cstr(r['watttime'])}, {cstr(r['grid_source'])}}},")
    w("};")
    w("")
    w("// zone, signal, source, g/kWh by month (rows, Jan..Dec) x UTC hour (0..23)")
    w("constexpr TypicalProfile kProfiles[] = {")
    for p in profiles:
        w(f"    {{{cstr(p['zone'])}, {SIGNALS[p['signal']]},")
        w(f"     {cstr(p['source'])},")
        w("     {")
        for row in p["grid"]:
            w("         {" + ", ".join(num(v) for v in row) + "},")
        w("     }},")
    w("};")
    w("")
    w("}  // namespace")
    w("")
    w("CatalogueTables embedded_tables() { return {kZones, kRegions, kProfiles}; }")
    w("")
    w("}  // namespace greenrun::intensity::detail")
    return "\n".join(out) + "\n"


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", nargs="?", default=os.path.join(root, "..", "shared", "data"),
                    help="the shared data folder (default: ../shared/data beside the repo)")
    ap.add_argument("--out", default=os.path.join(root, "src", "intensity", "catalogue_data.cc"),
                    help="the file to write (default: src/intensity/catalogue_data.cc)")
    args = ap.parse_args()
    if not os.path.isdir(args.data):
        die(f"{args.data}: not a folder (pass the shared data folder)")
    zones, by_id = load_zones(args.data)
    regions = load_regions(args.data, by_id)
    profiles = load_profiles(args.data)
    text = render(zones, regions, profiles)
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    counts = {p: sum(1 for r in regions if r["provider"] == p) for p in PROVIDERS}
    print(f"wrote {args.out}: {len(zones)} zones, {len(regions)} regions {counts}, "
          f"{len(profiles)} profiles ({', '.join(sorted({p['zone'] for p in profiles}))})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
