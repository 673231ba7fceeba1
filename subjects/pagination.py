"""A paginator for very large tables: it never counts a whole table.

Django's Paginator runs ``SELECT COUNT(*)`` over the filtered queryset on every page view; at a million
subjects that is most of the page's time. This one counts at most ``cap + 1`` rows (``COUNT(*)`` over a
``LIMIT`` subquery), so the cost stops growing past the cap. When more rows than that match:

- unfiltered on PostgreSQL, the count shown is the planner's estimate (``pg_class.reltuples``, kept up to
  date by autovacuum), fetched in the same single query;
- otherwise it is ``cap + 1``, shown as "more than <cap>".

Either way one query per page view, whatever the number of rows.
"""
from __future__ import annotations

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property

DEFAULT_CAP = 10_000


class EstimatedCountPaginator(Paginator):
    cap = DEFAULT_CAP

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.is_estimate = False
        self.is_capped = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        capped = queryset.order_by().values("pk")[: self.cap + 1]
        connection = connections[queryset.db]
        estimate = None
        if connection.vendor == "postgresql" and not queryset.query.where:
            sql, params = capped.query.get_compiler(using=queryset.db).as_sql()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT (SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass),"
                    f" (SELECT COUNT(*) FROM ({sql}) AS capped)",
                    [connection.ops.quote_name(queryset.model._meta.db_table), *params],
                )
                estimate, exact = cursor.fetchone()
        else:
            exact = capped.count()
        if exact <= self.cap:
            return exact
        self.is_capped = True
        if estimate is not None and estimate > self.cap:
            self.is_estimate = True
            return int(estimate)
        return exact

    @property
    def shown_cap(self) -> int:
        return self.cap
