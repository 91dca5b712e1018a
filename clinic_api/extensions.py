"""The extensions, created once here and initialised in ``create_app``.

The flask-smorest ``Api`` is the exception: it keeps one OpenAPI document per instance, so the factory
makes one per app (tests build several apps in one process).
"""
from __future__ import annotations

import uuid
from datetime import datetime

from flask_cors import CORS
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, registry

from clinic_api.core.types import UTCDateTime

# Stable constraint names, so that Alembic can address (and SQLite batch mode can rebuild) them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime(), uuid.UUID: Uuid()})


db = SQLAlchemy(model_class=Model, session_options={"expire_on_commit": False})
migrate = Migrate(compare_type=True, render_as_batch=True)
cors = CORS()
