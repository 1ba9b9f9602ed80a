"""The lifecycle table, walked exhaustively: no database."""

import itertools
import subprocess
import sys

import pytest

from compacts import lifecycle
from compacts.lifecycle import ACTIONS, STATES, TRANSITIONS, Facts, refusal, target

OK = Facts(parties=2, reason="because")  # every fact in favour: only the state can refuse


@pytest.mark.parametrize(("state", "action"), list(itertools.product(STATES, ACTIONS)))
def test_every_pair_is_allowed_exactly_from_its_sources(state, action):
    why = refusal(state, action, OK)
    if state in TRANSITIONS[action].sources:
        assert why is None
        assert target(state, action, OK) in STATES
    else:
        assert why
        assert "cannot" in why


def test_final_states_allow_nothing():
    for state, action in itertools.product(lifecycle.FINAL, ACTIONS):
        assert refusal(state, action, OK)


def test_reasons_required_for_ending_early_completing_and_returning():
    needing = {a for a, t in TRANSITIONS.items() if t.reason_required}
    assert needing == {"return", "complete", "terminate", "withdraw"}
    for action in needing:
        state = next(iter(TRANSITIONS[action].sources))
        assert "reason" in refusal(state, action, Facts(reason="  "))


def test_propose_needs_two_parties_and_every_part():
    assert "two parties" in refusal("draft", "propose", Facts(parties=1))
    why = refusal("draft", "propose", Facts(parties=2, missing=("summary", "outcomes")))
    assert why == "Fill in before proposing: summary, outcomes."


def test_signing_needs_verified_organisations_once_per_revision():
    why = refusal("proposed", "sign", Facts(unverified=("Acme",), unsigned=("Acme",)))
    assert "verified by an editor" in why
    assert "Acme" in why
    assert "already signed" in refusal("proposed", "sign", Facts(signer_signed=True))


def test_the_last_signature_completes_the_signing():
    assert target("proposed", "sign", Facts(unsigned=("A", "B"))) == "proposed"
    assert target("proposed", "sign", Facts(unsigned=("B",))) == "signed"
    assert "still to sign: B" in refusal("signed", "submit", Facts(unsigned=("B",)))


def test_unknown_action():
    assert "not an action" in refusal("draft", "teleport", OK)


def test_lifecycle_imports_no_django():
    code = "import sys, compacts.lifecycle, compacts.matching; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_completion_waits_for_verified_progress():
    open_reports = ("report to 31 March 2027",)
    why = refusal("active", "complete", Facts(reason="Targets met.", open_reports=open_reports))
    assert "not yet confirmed by every party: report to 31 March 2027" in why
