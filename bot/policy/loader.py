"""Loading the knowledge base from policies/: schema errors name the file, the key path and the reason."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.policy.model import PolicyDocument, Vocabulary

DEFAULT_POLICY_DIR = Path(__file__).resolve().parents[2] / "policies"

ModelT = TypeVar("ModelT", bound=BaseModel)


class PolicyError(Exception):
    """A policy file that cannot be used: which file, which key, why."""


@dataclass(frozen=True)
class KnowledgeBase:
    root: Path
    documents: tuple[PolicyDocument, ...]
    vocabulary: Vocabulary
    sources: dict[str, str]  # document id -> full source text

    def source_text(self, document: PolicyDocument) -> str:
        return self.sources[document.id]


def policy_dir() -> Path:
    """The policies/ folder; BOT_POLICY_DIR points elsewhere (tests with their own documents)."""
    return Path(os.environ.get("BOT_POLICY_DIR", DEFAULT_POLICY_DIR))


# libyaml's C loader is ~10x faster than the pure-Python one; start-up of every CLI call depends on it.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)  # a safe loader: CSafeLoader or SafeLoader
    except yaml.YAMLError as error:
        raise PolicyError(f"{path}: not valid YAML: {error}") from error


def parse_model(model: type[ModelT], data: Any, path: Path) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"]) or "(top level)"
            problems.append(f"{path}: {where}: {item['msg']}")
        raise PolicyError("\n".join(problems)) from error


def load_knowledge_base(root: Path | None = None) -> KnowledgeBase:
    root = root or policy_dir()
    vocabulary = parse_model(Vocabulary, read_yaml(root / "categories.yaml"), root / "categories.yaml")
    documents: list[PolicyDocument] = []
    sources: dict[str, str] = {}
    for path in sorted((root / "documents").glob("*.yaml")):
        document = parse_model(PolicyDocument, read_yaml(path), path)
        if document.id != path.stem:
            raise PolicyError(f"{path}: id: '{document.id}' must equal the file name '{path.stem}'")
        source_path = root / "sources" / document.source.file
        if not source_path.is_file():
            raise PolicyError(f"{path}: source.file: no such source text {source_path}")
        documents.append(document)
        sources[document.id] = source_path.read_text(encoding="utf-8")
    if not documents:
        raise PolicyError(f"{root / 'documents'}: no policy documents found")
    return KnowledgeBase(root=root, documents=tuple(documents), vocabulary=vocabulary, sources=sources)


@cache
def default_knowledge_base() -> KnowledgeBase:
    """The knowledge base of policy_dir(), loaded once per process (it is read-only)."""
    return load_knowledge_base()
