"""Light stand-ins for ABLATOR's config classes, so ABLATOR-style analysis code runs unchanged.

``Results`` reads everything from the experiment folder; these classes only let code such as

>>> @configclass
... class CustomModelConfig(ModelConfig):
...     num_filter1: int
>>> @configclass
... class CustomParallelConfig(ParallelConfig):
...     model_config: CustomModelConfig

be written as it is with ABLATOR. They hold no defaults and load no files.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TypeVar, cast

__all__ = ["ConfigBase", "ModelConfig", "Optim", "ParallelConfig", "configclass"]

C = TypeVar("C", bound=type)


class Optim(Enum):
    """The direction a metric is optimised in; ``str(Optim.min) == "Optim.min"`` as in ABLATOR."""

    min = "min"
    max = "max"


@dataclass(kw_only=True)
class ConfigBase:
    """Base of every config class (a keyword-only dataclass)."""


@dataclass(kw_only=True)
class ModelConfig(ConfigBase):
    """Base of a model's config: subclass it and annotate the model's attributes."""


@dataclass(kw_only=True)
class ParallelConfig(ConfigBase):
    """Base of a hyperparameter search's config (what ``Results`` is given)."""


def configclass(cls: C) -> C:
    """Make a ``ConfigBase`` subclass a keyword-only dataclass, as ABLATOR's decorator does."""
    if not (isinstance(cls, type) and issubclass(cls, ConfigBase)):
        raise TypeError(f"{cls!r} must inherit from ConfigBase (ModelConfig, ParallelConfig)")
    return cast(C, dataclass(cls, kw_only=True))
