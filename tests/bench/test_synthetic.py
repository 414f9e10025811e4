"""The synthetic households of the benchmarks are ones a field team could have collected with the default form.

Who acts: an enumerator fills the Fiche socio-économique on ODK Collect (the generator), the programme's phone
(device account) sends it to ``submission_receive``, and a data manager exports it from Kobo or Central (the row
writers). Nothing is timed here: the figures are bench/'s business.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest
from lxml import etree

from bench import synthetic
from bench.synthetic_formats import KOBO_MAIN_TABLE, MAIN_FIELDS, MEMBER_FIELDS, MULTIPLE_CHOICES, REPEAT
from parcours.accounts.services import device_account_create
from parcours.questionnaires.models import Submission
from parcours.questionnaires.services import default_questionnaire_deploy, submission_receive
from parcours.questionnaires.services.forms import DEFAULT_FORM_DIR, xlsform_convert
from parcours.questionnaires.xform import describe, instance_values, parse_xml
from parcours.registry.models import Consent, Household, Person

XF = "http://www.w3.org/2002/xforms"
ZONES = ["XK0101"]  # the leaf zone of the test world, the one zones.csv offers
LATIN = re.compile(r"^[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F '\u2019.-]+$")
ARABIC = re.compile(r"^[\u0600-\u06FF\u0750-\u077F '\u2019-]+$")


@pytest.fixture(scope="module")
def xform() -> str:
    content = (DEFAULT_FORM_DIR / "fiche_socio_economique.xlsx").read_bytes()
    return xlsform_convert(file_name="fiche_socio_economique.xlsx", content=content)[0]


def test_enumerator_output_follows_the_form_binds(xform, settings):
    """Every relevant question is there and answered when required, every hidden one absent, every constraint
    holds and every calculation matches what Collect would compute (binds evaluated by the server's XPath)."""
    xpath = pytest.importorskip("parcours.questionnaires.xpath")
    form = etree.fromstring(xform.encode())
    model = xpath.XFormModel.from_xform(form)
    binds = [{k: b.get(k) for k in ("nodeset", "relevant", "required", "constraint", "calculate")}
             for b in form.iter(f"{{{XF}}}bind")]
    by_path = {b["nodeset"]: b for b in binds}
    now = datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC)

    def holds(expression, node) -> bool:
        return xpath.compile(expression).evaluate_boolean(node, model=model, now=now)

    def nodes(doc, path):
        found = [doc]
        for step in path.strip("/").split("/")[1:]:
            found = [child for parent in found for child in parent if child.tag == step]
        return found

    def relevant(node) -> bool:
        for element in (node, *node.iterancestors()):
            bind = by_path.get("/" + "/".join([*(a.tag for a in reversed(list(element.iterancestors()))),
                                               element.tag]))
            if bind and bind["relevant"] and not holds(bind["relevant"], element):
                return False
        return True

    problems = []
    for instance_id, answers in synthetic.submissions(60, zones=ZONES, seed=11):
        doc = etree.fromstring(synthetic.to_instance_xml(answers, instance_id=instance_id))
        added = set()  # questions the submission leaves out: they must be the hidden ones
        for bind in binds:
            parent, _, name = bind["nodeset"].rpartition("/")
            for element in nodes(doc, parent):
                if not any(child.tag == name for child in element):
                    added.add(etree.SubElement(element, name))
        for bind in binds:
            for node in nodes(doc, bind["nodeset"]):
                where, value = f"{answers['ident/hh_code']} {bind['nodeset']}", (node.text or "").strip()
                if (node in added) == relevant(node):
                    problems.append(f"{where}: {'missing' if node in added else 'present but hidden'}")
                elif node in added:
                    continue
                elif bind["required"] and not value and holds(bind["required"], node):
                    problems.append(f"{where}: required")
                elif bind["constraint"] and value and not holds(bind["constraint"], node):
                    problems.append(f"{where}: {value!r} breaks {bind['constraint']}")
                elif bind["calculate"] and xpath.compile(bind["calculate"]).evaluate_string(
                        node, model=model, now=now) != value:
                    problems.append(f"{where}: calculation differs from {value!r}")
    assert problems == []


def test_field_list_is_the_forms(xform):
    """The writers' field list (order, notes, select_multiple choices) is the form's main instance."""
    schema = describe(xform)
    template = etree.fromstring(xform.encode()).find(f".//{{{XF}}}instance")[0]

    def path(element) -> str:
        parts = []
        while element is not template:
            parts.append(etree.QName(element).localname)
            element = element.getparent()
        return "/".join(reversed(parts))

    paths = list(dict.fromkeys(path(el) for el in template.iter() if len(el) == 0))
    assert [f"{REPEAT}/{name}" for name, *_ in MEMBER_FIELDS] == [p for p in paths if p.startswith(REPEAT + "/")]
    assert [p for p, kind, _c in MAIN_FIELDS if kind != "repeat"] == [p for p in paths if not p.startswith(REPEAT)]
    fields = [*MAIN_FIELDS, *((f"{REPEAT}/{name}", kind, c) for name, kind, c in MEMBER_FIELDS)]
    for name, kind, choices in fields:
        info = schema["fields"].get(name, {})
        assert (kind == "note") == bool(info.get("readonly") and "control" in info and not info["calculate"]), name
        assert (kind == "geo") == (info.get("type") == "geopoint"), name
        if kind == "multi":
            assert info["control"] == "select"
            assert [c["value"] for c in schema["choices"][info["list"]]] == list(choices), name
    assert sum(kind == "multi" for _p, kind, _c in MAIN_FIELDS) == len(MULTIPLE_CHOICES)


def test_households_are_deterministic_unique_and_plausible():
    """Same seed, same households; codes unique; 1–9 members, the head first and alone; names in both scripts."""
    first = list(synthetic.households(400, zones=["ZY010101", "ZY010102"], seed=3))
    assert first[:50] == list(synthetic.households(50, zones=["ZY010101", "ZY010102"], seed=3))
    assert first[0] != next(synthetic.households(1, zones=["ZY010101", "ZY010102"], seed=4))
    assert len({a["ident/hh_code"] for a in first}) == 400
    assert {a["ident/zone_code"] for a in first} == {"ZY010101", "ZY010102"}
    scripts = Counter()
    for answers in first:
        members = answers["roster/member"]
        assert 1 <= len(members) <= 9 and answers["roster/hh_size"] == str(len(members))
        assert [m["relationship"] == "head" for m in members] == [True] + [False] * (len(members) - 1)
        head_age = int(members[0]["age"])
        for m in members:
            assert m["given_name"] or m["given_name_ar"]
            assert all(LATIN.match(m[k]) for k in ("given_name", "family_name", "father_name") if m[k])
            assert all(ARABIC.match(m[f"{k}_ar"]) for k in ("given_name", "family_name", "father_name") if m[f"{k}_ar"])
            scripts[(bool(m["given_name"]), bool(m["given_name_ar"]))] += 1
            if m["relationship"] == "child":
                assert int(m["age"]) < head_age
    assert set(scripts) == {(True, True), (True, False), (False, True)}
    assert Counter(a["food/fies_score"] for a in first).most_common()[0][1] < 200  # food insecurity varies


def test_instance_xml_reads_back_as_the_answers(xform):
    """What the server reads from the XML is exactly the answers, plus the meta block."""
    schema = describe(xform)
    instance_id, answers = next(synthetic.submissions(1, zones=ZONES, seed=5))
    answers["needs/comments"] = "Accès <difficile> & boueux"  # escaped, read back intact
    root = parse_xml(synthetic.to_instance_xml(answers, instance_id=instance_id))
    assert (root.tag, root.get("id"), root.get("version")) == ("fiche_socio_economique", synthetic.FORM_ID,
                                                               synthetic.VERSION)
    values = instance_values(root, schema)
    meta = {"meta/instanceID": instance_id,
            "meta/instanceName": f"{answers['ident/hh_code']} {answers['ident/interview_date']}"}
    assert values == answers | meta


@pytest.mark.django_db
def test_phone_submissions_land_in_the_registry(manager, programme):
    """The programme's phone sends synthetic households: all accepted once, projected, members and consents in."""
    default_questionnaire_deploy(actor=manager, programme=programme)
    phone = device_account_create(actor=manager, programme=programme, username="collect-bench",
                                  password="collect-bench-2026", label="Bench")
    sent = list(synthetic.submissions(25, zones=ZONES, seed=9))
    for instance_id, answers in sent:
        received = submission_receive(programme=programme, xml=synthetic.to_instance_xml(answers,
                                      instance_id=instance_id), channel=Submission.Channel.COLLECT, actor=phone)
        assert (received.outcome, received.submission.status, received.submission.flags) == (
            "created", Submission.Status.PROJECTED, []), received.submission.flags
    instance_id, answers = sent[0]  # Collect sends again when it missed the answer: kept once
    again = submission_receive(programme=programme, xml=synthetic.to_instance_xml(answers, instance_id=instance_id),
                               channel=Submission.Channel.COLLECT, actor=phone)
    assert again.outcome == "duplicate"
    assert Submission.objects.filter(instance_id__in=[i for i, _a in sent]).count() == 25
    codes = {a["ident/hh_code"] for _i, a in sent}
    assert set(Household.objects.values_list("code", flat=True)) == codes
    assert Person.objects.count() == sum(len(a["roster/member"]) for _i, a in sent)
    assert Consent.objects.filter(purpose="registration").count() == 25
    assert all(h.head_id for h in Household.objects.all())


def test_export_rows_link_members_to_their_household():
    """Kobo rows link by _index/_parent_index, Central rows by KEY/PARENT_KEY; every row fits its header."""
    sent = list(synthetic.submissions(30, zones=ZONES, seed=2, boxes={"XK0101": (10.0, 36.0, 10.5, 36.5)}))
    members = sum(len(a["roster/member"]) for _i, a in sent)
    for headers, rows in ((synthetic.kobo_headers(), synthetic.to_kobo_rows(sent)),
                          (synthetic.central_headers(split_multiple=True),
                           synthetic.to_central_rows(sent, split_multiple=True))):
        tables = {name: [] for name in headers}
        for name, row in rows:
            tables[name].append(dict(zip(headers[name], row, strict=True)))
        main_table, member_table = headers
        assert (len(tables[main_table]), len(tables[member_table])) == (30, members)
        for row, (instance_id, answers) in zip(tables[main_table], sent, strict=True):
            assert instance_id in row.values() and answers["ident/hh_code"] in row.values()
    kobo = synthetic.kobo_headers()
    kobo_rows = list(synthetic.to_kobo_rows(sent))
    main = [dict(zip(kobo[t], r, strict=True)) for t, r in kobo_rows if t == KOBO_MAIN_TABLE]
    people = [dict(zip(kobo[t], r, strict=True)) for t, r in kobo_rows if t == "member"]
    by_index = {row["_index"]: row for row in main}
    assert all(by_index[p["_parent_index"]]["_uuid"] == p["_submission__uuid"] for p in people)
    assert main[0]["_uuid"] == sent[0][0].removeprefix("uuid:")
    assert {main[0][f"assets/assets/{c}"] for c in MULTIPLE_CHOICES["assets"]} <= {"0", "1"}
    assert main[0]["_ident/gps_latitude"] == sent[0][1]["ident/gps"].split()[0]
    central = synthetic.central_headers()
    central_rows = list(synthetic.to_central_rows(sent))
    keys = [dict(zip(central[t], r, strict=True)) for t, r in central_rows if t.endswith("-member")]
    assert keys[0]["PARENT_KEY"] == sent[0][0] and keys[0]["KEY"] == f"{sent[0][0]}/roster/member[1]"
    assert "ident-gps-Latitude" in central["fiche_socio_economique"] and "ident-gps" not in central[
        "fiche_socio_economique"]
