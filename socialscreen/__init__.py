"""socialscreen: screen a draft social-media post against a social media policy.

    import socialscreen
    screener = socialscreen.Screener(policy="walton-centre")
    result = screener.screen("draft text", account="personal", profile="Nurse. Views my own.")
    result.verdict, [f.to_dict() for f in result.findings], result.to_dict()
"""
from .errors import ConfigError, DataError, ScreenInputError, SocialScreenError, UnknownPolicyError
from .values import Allow, Attachment, Clause, Finding, Post, RecordError, Result, Suppressed
from .baseline import Baseline
from .people import PeopleList
from .packs import load_all as load_packs, load_pack
from .screener import Screener, screen
from .config import Config, load_config

__version__ = "0.1.0"
__all__ = ["Screener", "screen", "PeopleList", "Post", "Attachment", "Allow", "Finding", "Clause", "Result", "Suppressed",
           "RecordError", "Baseline", "Config", "load_config", "load_pack", "load_packs",
           "SocialScreenError", "DataError", "ConfigError", "ScreenInputError", "UnknownPolicyError", "__version__"]
