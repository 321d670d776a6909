"""EXPLAIN (ANALYZE, BUFFERS) of our list and detail queries for one client's customer."""

import psycopg

# The shapes the ORM sends for GET requests/ (count, first page) and GET requests/<ref>/.
QUERIES = {
    "list_count": "SELECT count(*) FROM tickets_servicerequest WHERE customer_id = %(c)s",
    # Since issue 19 the count is a subquery of the page's query, and each row says whether
    # it has clocks or files (apps/api/pagination.py, selectors.list_page_requests_for).
    "list_page": """SELECT r.*, cat.name, d.name, cu.id, u.username,
            EXISTS (SELECT 1 FROM sla_slaclock k WHERE k.request_id = r.id) AS has_clocks,
            EXISTS (SELECT 1 FROM tickets_attachment a LEFT JOIN tickets_message m
                    ON m.id = a.message_id WHERE a.request_id = r.id
                    AND (a.message_id IS NULL OR m.visibility = 'public')) AS has_files,
            (SELECT count(r2.id) FROM tickets_servicerequest r2
             WHERE r2.customer_id = %(c)s) AS page_total_rows
        FROM tickets_servicerequest r
        LEFT JOIN tickets_category cat ON cat.id = r.category_id
        LEFT JOIN accounts_department d ON d.id = r.department_id
        JOIN accounts_customer cu ON cu.id = r.customer_id
        JOIN auth_user u ON u.id = cu.user_id
        WHERE r.customer_id = %(c)s ORDER BY r.created_at DESC LIMIT 25""",
    "list_page_clocks": """SELECT * FROM sla_slaclock WHERE request_id IN (
        SELECT id FROM tickets_servicerequest WHERE customer_id = %(c)s
        ORDER BY created_at DESC LIMIT 25)""",
    "detail": """SELECT r.* FROM tickets_servicerequest r
        WHERE r.customer_id = %(c)s AND r.id = %(id)s""",
}


def explain(dsn: str, user_id: int) -> dict[str, str]:
    """The plans, for the customer of `user_id` and its newest request."""
    plans = {}
    with psycopg.connect(dsn) as conn:
        customer = conn.execute(
            "SELECT id FROM accounts_customer WHERE user_id = %s", (user_id,)
        ).fetchone()[0]
        newest = conn.execute(
            "SELECT max(id) FROM tickets_servicerequest WHERE customer_id = %s", (customer,)
        ).fetchone()[0]
        for name, sql in QUERIES.items():
            rows = conn.execute(
                f"EXPLAIN (ANALYZE, BUFFERS) {sql}", {"c": customer, "id": newest}
            ).fetchall()
            plans[name] = "\n".join(row[0] for row in rows)
    return plans
