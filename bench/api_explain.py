"""EXPLAIN (ANALYZE, BUFFERS) of our list and detail queries for one client's customer."""

import psycopg

# The shapes the ORM sends for GET requests/ (count, first page) and GET requests/<ref>/.
QUERIES = {
    "list_count": "SELECT count(*) FROM tickets_servicerequest WHERE customer_id = %(c)s",
    "list_page": """SELECT r.*, cat.name, d.name, cu.id, u.username
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
