"""How well the search answers everyday queries over the demo catalog (issue 8).

Every query of ``search_queries.QUERIES`` goes through the API (``/api/v1/items/?q=``) and the
guide page (``/guides/?q=``), which must agree; the top five results are measured against the
items the query should find:

- hit@5: share of queries with at least one relevant item in the top five;
- precision@5: per query, the share of the results shown in the top five (up to five) that are
  relevant, averaged;
- recall@5: per query, the share of its relevant items (up to five) found in the top five,
  averaged.

Each figure is also given per language (Chinese, pinyin and initials against English) and must
hold for each: the English search may not buy its figures with the Chinese ones, nor hide behind them.

``pytest -s tests/catalog/test_search_quality.py`` prints the figures (docs/search.md records them).
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.core.management import call_command

from catalog import demo_data
from catalog.models import GuideSearchDocument, ServiceItem
from tests.catalog.search_queries import QUERIES

pytestmark = pytest.mark.django_db

HIT_AT_5 = 0.95
PRECISION_AT_5 = 0.9
RECALL_AT_5 = 0.9


def test_everyday_queries_find_what_people_want(client) -> None:
    call_command("load_demo_catalog", "--no-calendar", verbosity=0)
    assert not ServiceItem.objects.filter(code__in=[i.code for i in demo_data.ITEMS], aliases="").exists()
    assert GuideSearchDocument.objects.count() == len(demo_data.ITEMS)

    per_kind: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    misses = []
    for query in QUERIES:
        api = client.get("/api/v1/items/", {"q": query.text, "page_size": 5})
        assert api.status_code == 200, query.text
        top = [row["code"] for row in api.json()["results"]]
        page = client.get("/guides/", {"q": query.text}).content.decode()
        assert re.findall(r'href="/guides/([0-9]{10})/"', page)[:5] == top, query.text

        found = sum(code in query.relevant for code in top)
        hit = float(found > 0)
        precision = found / len(top) if top else 0.0
        recall = found / min(5, len(query.relevant))
        per_kind[query.kind].append((hit, precision, recall))
        if precision < 1 or recall < 1:
            misses.append(f"  {query.text}: top 5 {top or '(none)'}, relevant {sorted(query.relevant)}")

    def mean(rows: list[tuple[float, float, float]], k: int) -> float:
        return sum(row[k] for row in rows) / len(rows)

    every = [row for rows in per_kind.values() for row in rows]
    hit, precision, recall = (mean(every, k) for k in range(3))
    languages = {
        "zh": [row for kind, rows in per_kind.items() if kind != "english" for row in rows],
        "en": per_kind["english"],
    }
    print(f"\nSearch quality over the demo catalog: {len(QUERIES)} queries, {len(demo_data.ITEMS)} items")
    print(f"  {'kind':<10}{'queries':>8}{'hit@5':>8}{'P@5':>8}{'R@5':>8}")
    for kind, rows in sorted(per_kind.items()):
        print(f"  {kind:<10}{len(rows):>8}{mean(rows, 0):>8.2f}{mean(rows, 1):>8.2f}{mean(rows, 2):>8.2f}")
    for language, rows in languages.items():
        print(f"  {language:<10}{len(rows):>8}{mean(rows, 0):>8.3f}{mean(rows, 1):>8.3f}{mean(rows, 2):>8.3f}")
    print(f"  {'all':<10}{len(every):>8}{hit:>8.3f}{precision:>8.3f}{recall:>8.3f}")
    print("Not perfect:\n" + ("\n".join(misses) or "  none"))

    assert len(languages["en"]) >= 20
    for rows in (every, *languages.values()):
        assert mean(rows, 0) >= HIT_AT_5 and mean(rows, 1) >= PRECISION_AT_5 and mean(rows, 2) >= RECALL_AT_5
