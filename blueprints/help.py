"""帮助中心: every question of the operations guide, grouped as the guide groups them, searchable.

Each question has a stable anchor (`s4-10` is 四(十)), so error messages and pages can link to their answer:
templates call `help_link("s4-10")` or `help_for(message)`.
"""
import json
import os
from functools import lru_cache

from flask import Blueprint, current_app, request, url_for

from blueprints.access import render

bp = Blueprint("help", __name__, url_prefix="/help")

CONTENT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "help.json")


@lru_cache(maxsize=1)
def content():
    """The guide's groups, questions and the message → anchor map, read once per process."""
    with open(CONTENT, encoding="utf-8") as handle:
        return json.load(handle)


def questions():
    """Every question with its group, in the guide's order."""
    return [(group, q) for group in content()["groups"] for q in group["questions"]]


def anchor_for(message):
    """The anchor of the answer to an error message, or None."""
    for fragment, anchor in content()["messages"].items():
        if fragment in (message or ""):
            return anchor
    return None


@bp.app_template_global()
def help_link(anchor):
    """URL of one answer of the 帮助中心."""
    return url_for("help.index", _anchor=anchor)


@bp.app_template_global()
def help_for(message):
    """URL of the answer to an error message, or None when the guide has none."""
    anchor = anchor_for(message)
    return help_link(anchor) if anchor else None


def _matches(question, terms):
    text = question["title"] + "".join(question["answer"])
    return all(term in text for term in terms)


def search(query):
    """Groups with the questions that contain every word of `query` (all of them for an empty query)."""
    terms = [t for t in (query or "").replace(",", " ").split() if t]
    groups = []
    for group in content()["groups"]:
        found = [q for q in group["questions"] if _matches(q, terms)]
        if found:
            groups.append({**group, "questions": found})
    return groups


def _link_url(endpoint):
    return url_for(endpoint) if endpoint in current_app.view_functions else None


@bp.get("/")
def index():
    """帮助中心 front page, open to everyone; `q` narrows the questions."""
    query = request.args.get("q", "").strip()[:50]
    groups = search(query)
    total = sum(len(g["questions"]) for g in groups)
    return render("help/index.html", "help/_results.html", groups=groups, query=query, total=total,
                  link_url=_link_url, source=content()["source"])
