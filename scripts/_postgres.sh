# Sourced by scripts/backup and scripts/restore: the PostgreSQL of DATABASE_URL, for the libpq tools.
# Sets PGURL (a postgresql:// URL without its password) and exports PGPASSWORD when the URL holds one, so that
# the password never shows in the process list. Refuses SQLite and a missing DATABASE_URL with exit status 2.

pg_url_from_database_url() {
  local script=$1
  if [ -z "${DATABASE_URL:-}" ]; then
    echo "$script: set DATABASE_URL to the PostgreSQL database (postgresql://user@host:5432/clinic)." >&2
    exit 2
  fi
  case "$DATABASE_URL" in
    sqlite:*)
      echo "$script: DATABASE_URL is a SQLite database; $script works on PostgreSQL only (pg_dump/pg_restore)." >&2
      echo "$script: SQLite is the development database: copy it with: sqlite3 instance/clinic.db '.backup clinic-copy.db'" >&2
      exit 2 ;;
    postgres://*|postgresql://*|postgresql+*://*) ;;
    *)
      echo "$script: DATABASE_URL is not a PostgreSQL URL (postgresql://…)." >&2
      exit 2 ;;
  esac
  local parsed
  parsed=$("${PYTHON:-python3}" - "$DATABASE_URL" <<'PY'
import sys
from urllib.parse import unquote, urlsplit, urlunsplit

url = urlsplit(sys.argv[1])
netloc = url.netloc.rpartition("@")
user, _, password = netloc[0].partition(":")
host = netloc[2]
print(urlunsplit(("postgresql", f"{user}@{host}" if user else host, url.path, url.query, "")))
print(unquote(password))
PY
  )
  PGURL=$(printf '%s\n' "$parsed" | sed -n 1p)
  local password
  password=$(printf '%s\n' "$parsed" | sed -n 2p)
  if [ -n "$password" ]; then
    export PGPASSWORD="$password"
  fi
  # pg_dump and pg_restore set their own statement_timeout (none); a PGOPTIONS of the caller is not theirs to keep.
  unset PGOPTIONS
}
