"""Reading people from sheet rows: the words for ID types and genders, the person columns, and
``PersonPlanner``, which matches people on their ID number's keyed hash, else on name and phone,
and plans new and completed people for a bulk insert.
"""

from __future__ import annotations

import itertools
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from wuye.core.crypto import lookup_hash
from wuye.core.importing import values as v
from wuye.core.importing.spec import Field, ImportSpec, Row, choice_parser
from wuye.core.privacy import mask_id
from wuye.residents.choices import PersonGenderChoices, PersonIdTypeChoices, PersonKindChoices
from wuye.residents.models import Person, current_q, pinyin_initials
from wuye.residents.validators import normalize_id

ID_TYPE_WORDS = {
    "身份证": PersonIdTypeChoices.RESIDENT_ID,
    "居民身份证": PersonIdTypeChoices.RESIDENT_ID,
    "二代身份证": PersonIdTypeChoices.RESIDENT_ID,
    "护照": PersonIdTypeChoices.PASSPORT,
    "港澳通行证": PersonIdTypeChoices.HK_MACAO,
    "回乡证": PersonIdTypeChoices.HK_MACAO,
    "港澳居民来往内地通行证": PersonIdTypeChoices.HK_MACAO,
    "台胞证": PersonIdTypeChoices.TAIWAN,
    "台湾居民来往大陆通行证": PersonIdTypeChoices.TAIWAN,
    "外国人永久居留证": PersonIdTypeChoices.FOREIGN_PERMANENT,
    "永居证": PersonIdTypeChoices.FOREIGN_PERMANENT,
    "营业执照": PersonIdTypeChoices.CREDIT_CODE,
    "统一社会信用代码": PersonIdTypeChoices.CREDIT_CODE,
    "信用代码": PersonIdTypeChoices.CREDIT_CODE,
    "组织机构代码": PersonIdTypeChoices.CREDIT_CODE,
    "其他": PersonIdTypeChoices.OTHER,
    "其它": PersonIdTypeChoices.OTHER,
}
GENDER_WORDS = {
    "男": PersonGenderChoices.MALE,
    "男性": PersonGenderChoices.MALE,
    "女": PersonGenderChoices.FEMALE,
    "女性": PersonGenderChoices.FEMALE,
    "M": PersonGenderChoices.MALE,
    "F": PersonGenderChoices.FEMALE,
}
PERSON_KIND_WORDS = {
    "个人": PersonKindChoices.INDIVIDUAL,
    "自然人": PersonKindChoices.INDIVIDUAL,
    "单位": PersonKindChoices.ORGANIZATION,
    "企业": PersonKindChoices.ORGANIZATION,
    "公司": PersonKindChoices.ORGANIZATION,
    "机构": PersonKindChoices.ORGANIZATION,
    "组织": PersonKindChoices.ORGANIZATION,
}
_ORGANISATION = re.compile(r"(公司|有限|集团|银行|中心|委员会|管理处|单位|学校|医院|研究院|事务所)")


def person_fields(*, name_header: str, name_synonyms: tuple[str, ...], name_label, example_name: str):
    return [
        Field(
            "name",
            name_label,
            name_header,
            synonyms=name_synonyms,
            parse=lambda value: v.to_text(value, max_length=100),
            required=True,
            example=example_name,
        ),
        Field(
            "phone",
            _lazy("Phone"),
            "手机号",
            synonyms=("手机", "手机号码", "联系电话", "电话", "联系方式", "电话号码", "移动电话", "联系手机"),
            parse=v.to_phone,
            example="13812341234",
            help=_lazy(
                "Several numbers separated by / are kept: the first as the phone, the others in the note."
            ),
        ),
        Field(
            "id_type",
            _lazy("ID type"),
            "证件类型",
            synonyms=("证件种类",),
            parse=choice_parser(ID_TYPE_WORDS, PersonIdTypeChoices.choices),
            example="身份证",
            words=tuple(ID_TYPE_WORDS),
            help=_lazy("Resident ID card when empty."),
        ),
        Field(
            "id_number",
            _lazy("ID number"),
            "证件号码",
            synonyms=("证件号", "身份证", "身份证号", "身份证号码", "证件编号", "身份证件号"),
            parse=v.to_id_number,
            example="110101199003071233",
            help=_lazy("Format the column as text in Excel, or it loses the last digits."),
        ),
        Field(
            "gender",
            _lazy("Gender"),
            "性别",
            parse=choice_parser(GENDER_WORDS, PersonGenderChoices.choices),
            example="男",
            words=("男", "女"),
        ),
        Field(
            "person_kind",
            _lazy("Individual or organisation"),
            "客户类型",
            synonyms=("业主类型", "业主性质", "客户性质"),
            parse=choice_parser(PERSON_KIND_WORDS, PersonKindChoices.choices),
            example="个人",
            words=tuple(PERSON_KIND_WORDS),
        ),
    ]


def _digits(phone: str | None) -> str:
    return "".join(ch for ch in phone or "" if ch.isdigit())


def prepare_person(person: Person) -> None:
    """What ``Person.save()`` derives, for bulk inserts (``bulk_create`` does not call ``save``)."""
    person.name_initials = pinyin_initials(person.name)
    person.phone = (person.phone or "").strip()
    person.phone_tail = _digits(person.phone)[-4:]
    if person.id_number:
        person.id_number = normalize_id(person.id_number)
        person.id_number_hash = lookup_hash(person.id_number)
        person.id_number_masked = mask_id(person.id_number)
    else:
        person.id_number_hash = ""
        person.id_number_masked = ""


PERSON_FIELDS = {
    "name": "name",
    "phone": "phone",
    "id_type": "id_type",
    "id_number": "id_number",
    "gender": "gender",
    "kind": "person_kind",
}


class PersonPlanner:
    """Finds the people rows name (ID number, else name and phone) and plans new and completed ones."""

    _temp = itertools.count(-1, -1)

    def __init__(self, spec: ImportSpec):
        self.spec = spec
        self.project = spec.project
        self.by_hash: dict[str, Person] = {}
        self.by_name_phone: dict[tuple, Person] = {}
        self.by_id: dict[int, Person] = {}
        self.developer: Person | None = None
        # ID numbers stay encrypted: matching uses their keyed hash.
        for p in Person.objects.filter(project=self.project, anonymized_at__isnull=True).defer("id_number"):
            self.by_id[p.pk] = p
            if p.is_developer:
                self.developer = p
                continue
            if p.id_number_hash:
                self.by_hash.setdefault(p.id_number_hash, p)
            self.by_name_phone.setdefault((p.name, _digits(p.phone)), p)
        self.new_people: list[Person] = []
        self.changed: dict[int, tuple[Person, set]] = {}
        self.first_row: dict[int, Row] = {}

    @staticmethod
    def is_new(obj) -> bool:
        return obj.pk is None or obj.pk < 0

    def resolve(self, row: Row) -> Person | None:
        if not self.spec.require(row, "name"):
            return None
        name = row["name"]
        phone, more_phones = row["phone"] or ("", [])
        id_number = row["id_number"]
        kind = row["person_kind"] or (
            PersonKindChoices.ORGANIZATION if _ORGANISATION.search(name) else PersonKindChoices.INDIVIDUAL
        )
        id_type = row["id_type"]
        if id_type is None:
            looks_personal = bool(re.fullmatch(r"\d{17}[\dX]", id_number or ""))
            if kind == PersonKindChoices.ORGANIZATION and id_number and not looks_personal:
                id_type = PersonIdTypeChoices.CREDIT_CODE
            else:
                id_type = PersonIdTypeChoices.RESIDENT_ID
        digest = lookup_hash(normalize_id(id_number)) if id_number else ""
        person = self.by_hash.get(digest) if digest else None
        if person is None:
            person = self.by_name_phone.get((name, _digits(phone)))
            if person is not None and digest and person.id_number_hash and person.id_number_hash != digest:
                person = None  # same name and phone, another ID: another person
        if person is not None:
            if person.name != name:
                where = self.first_row.get(person.pk)
                self.spec.error(
                    row,
                    "id_number",
                    _("This ID number (%(id)s) belongs to %(other)s%(where)s, not to %(name)s.")
                    % {
                        "id": mask_id(normalize_id(id_number)),
                        "other": person.name,
                        "name": name,
                        "where": _(" on row %(row)s") % {"row": where.number}
                        if where and self.is_new(person)
                        else "",
                    },
                )
                return None
            self._complete(person, row, phone=phone, id_number=id_number, id_type=id_type)
            return person
        person = Person(
            project=self.project,
            kind=kind,
            name=name,
            phone=phone,
            id_type=id_type,
            id_number=id_number or "",
            gender=row["gender"] or "",
        )
        if more_phones:
            person.note = _("Other phones: %(phones)s") % {"phones": " / ".join(more_phones)}
        person.pk = next(self._temp)
        actor = self.spec.actor
        if actor is not None and actor.is_authenticated:
            person.created_by = actor
        if self.spec.validate(person, row, PERSON_FIELDS):
            prepare_person(person)
        self.new_people.append(person)
        self.by_id[person.pk] = person
        self.first_row[person.pk] = row
        if person.id_number_hash:
            self.by_hash[person.id_number_hash] = person
        self.by_name_phone.setdefault((name, _digits(phone)), person)
        self.spec.need("residents.add_person", lambda: _("it adds people."))
        return person

    def _complete(self, person: Person, row: Row, *, phone, id_number, id_type) -> None:
        """Fill what the archive (or an earlier row) lacks: phone, ID number, gender; never overwrite."""
        changes = {}
        if phone and not person.phone:
            changes["phone"] = phone
        if id_number and not person.id_number_hash:
            changes["id_number"] = id_number
            changes["id_type"] = id_type
        if row["gender"] and not person.gender:
            changes["gender"] = row["gender"]
        if not changes:
            return
        for name, value in changes.items():
            setattr(person, name, value)
        if self.is_new(person):  # planned on an earlier row: it is inserted complete
            if self.spec.validate(person, row, PERSON_FIELDS):
                prepare_person(person)
                if person.id_number_hash:
                    self.by_hash.setdefault(person.id_number_hash, person)
            return
        fields = set(changes)
        if "id_number" in fields:
            fields |= {"birth_date", "gender"}
        if self.spec.validate(person, row, PERSON_FIELDS):
            prepare_person(person)
        previous = self.changed.get(person.pk, (person, set()))[1]
        self.changed[person.pk] = (person, previous | fields)
        self.spec.need(
            "residents.change_person", lambda: _("it completes existing people's phone or ID number.")
        )

    def developer_person(self) -> Person:
        """The project's developer (开发商), planned as a new organisation when there is none yet."""
        if self.developer is None:
            person = Person(
                project=self.project,
                is_developer=True,
                kind=PersonKindChoices.ORGANIZATION,
                id_type=PersonIdTypeChoices.CREDIT_CODE,
                name=f"{self.project.name}开发商",
            )
            person.pk = next(self._temp)
            prepare_person(person)
            self.new_people.append(person)
            self.developer = person
            self.spec.count("developer_created")
        return self.developer

    def count(self):
        self.spec.count("people_created", len([p for p in self.new_people if not p.is_developer]))
        self.spec.count("people_updated", len(self.changed))

    def apply(self):
        for person in self.new_people:
            person.pk = None
        Person.objects.bulk_create(self.new_people, batch_size=500)
        if self.changed:
            now = timezone.now()
            fields = set().union(*(f for _p, f in self.changed.values()))
            if "id_number" in fields:
                fields |= {"id_number_hash", "id_number_masked"}
            if "phone" in fields:
                fields.add("phone_tail")
            objs = [p for p, _f in self.changed.values()]
            for person in objs:
                person.updated_at = now
            Person.objects.bulk_update(objs, sorted(fields | {"updated_at"}), batch_size=500)


def _current_by_unit(model, project) -> dict[int, list]:
    out: dict[int, list] = {}
    for row in model.objects.filter(project=project).filter(current_q()):
        out.setdefault(row.unit_id, []).append(row)
    return out


def _relink(obj, *names):
    """After the parents were inserted, copy their real ids onto ``obj``."""
    for name in names:
        setattr(obj, name, getattr(obj, name))
