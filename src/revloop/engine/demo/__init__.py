"""A realistic demo company, generated without Django (see :mod:`.generator`)."""

from revloop.engine.demo.generator import (
    CHUNK_SIZE,
    CHUNK_TABLES,
    GROUND_TRUTH,
    DemoChunk,
    DemoCompany,
    DemoConfig,
    GroundTruth,
    generate,
)
from revloop.engine.demo.users import DemoUser, demo_users

__all__ = [
    "CHUNK_SIZE",
    "CHUNK_TABLES",
    "GROUND_TRUTH",
    "DemoChunk",
    "DemoCompany",
    "DemoConfig",
    "DemoUser",
    "GroundTruth",
    "demo_users",
    "generate",
]
