"""Where data may go, as one reading with one-click corrections: the safety-critical part of
the needs (deployment, privacy, residency) read as a single choice, and that choice applied."""

from __future__ import annotations

from advisor.domain.needs import Needs

#: the readings a person can pick, in the order they are offered; "region:<code>" is added
#: where a residency was read (jp, eu, us, de)
CHOICES = ("private", "local", "api", "any")
REGIONS = ("jp", "eu", "us", "de")
#: the needs fields this reading covers (the profile card's ⑥ line)
SLOTS = ("deployment", "privacy", "residency")


def reading(n: Needs) -> str:
    """The choice the needs amount to: region:<code>, private, local, api or any."""
    if n.residency:
        return f"region:{n.residency}"
    if n.privacy:
        return "private"
    if n.deployment in ("local", "api"):
        return n.deployment
    return "any"


def choices(n: Needs) -> list[str]:
    """What the person may pick for these needs: the fixed choices, plus the region read."""
    region = [f"region:{n.residency}"] if n.residency else []
    return [*CHOICES[:1], *region, *CHOICES[1:]]


def is_choice(value: str) -> bool:
    if value.startswith("region:"):
        return value.removeprefix("region:") in REGIONS
    return value in CHOICES


def apply(n: Needs, choice: str) -> Needs:
    """The needs with the data reading replaced by `choice` (a person's correction): the
    three slots are set together, their source becomes 'corrected', and the question about
    masked data is no longer asked. Raises ValueError on an unknown choice."""
    if not is_choice(choice):
        raise ValueError(f"not a data reading: {choice!r} (private, local, api, any, region:jp)")
    data = n.model_dump(exclude={"unknown"})
    region = choice.removeprefix("region:") if choice.startswith("region:") else None
    deployment = {"private": "local", "local": "local", "api": "api", "any": None}
    data.update(
        privacy=choice == "private",
        residency=region,
        deployment=deployment.get(choice, "local" if n.deployment == "local" else None),
    )
    sources = dict(n.slot_sources)
    for slot in SLOTS:
        sources[slot] = "corrected"
    data["slot_sources"] = sources
    data["questions"] = [q for q in n.questions if q != "api_if_masked"]
    data["assumptions"] = [
        a for a in n.assumptions if a.split(":", 1)[0].strip().lower() not in SLOTS
    ]
    fixed = Needs.model_validate(data)
    # the corrected slots count as stated: a follow-up's merge keeps them
    fixed.__pydantic_fields_set__ = set(n.model_fields_set) | {*SLOTS, "slot_sources"}
    return fixed
