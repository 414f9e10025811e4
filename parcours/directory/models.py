"""Open Referral HSDS 3.0 service directory: one model per HSDS table, field names as in HSDS.

The primary key of each record is its HSDS ``id`` (a UUID), so an import followed by an export gives back the same
identifiers and a re-import updates rather than duplicates. A foreign key named ``organization`` has the column
``organization_id``, exactly the HSDS tabular field, which lets ``parcours.directory.hsds`` map records to HSDS
objects with few exceptions (listed there). Parcours-only fields (translations, the link to a Parcours organisation,
the zone of a service area) are left out of exports.

Names that people read (organisations, services, taxonomy terms) have French, Arabic and Portuguese columns next to
the HSDS ``name``, like ``Zone.name_ar``: they are searched and edited like any other field, HSDS itself keeps
one name per record.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation as ParcoursOrganisation
from parcours.core.models import BaseModel
from parcours.territories.models import Zone

LANGUAGES_TRANSLATED = ("fr", "ar", "pt")


class TranslatedName(models.Model):
    """``name`` (the HSDS name, English or the official name) with French, Arabic and Portuguese versions."""

    name_fr = models.CharField(max_length=255, blank=True, verbose_name=_("name in French"))
    name_ar = models.CharField(max_length=255, blank=True, verbose_name=_("name in Arabic"))
    name_pt = models.CharField(max_length=255, blank=True, verbose_name=_("name in Portuguese"))

    class Meta:
        abstract = True

    @property
    def display_name(self) -> str:
        language = (get_language() or "")[:2]
        if language in LANGUAGES_TRANSLATED:
            return getattr(self, f"name_{language}") or self.name
        return self.name

    def audit_repr(self) -> str:
        return self.name


def _fk(model, related_name: str, label, *, on_delete=models.CASCADE):
    return models.ForeignKey(
        model, null=True, blank=True, on_delete=on_delete, related_name=related_name, verbose_name=label
    )


class Organization(TranslatedName, BaseModel):
    """An organisation that provides services (HSDS ``organization``): public service, association, company.

    ``parcours_organisation`` is set when the organisation works in Parcours: referrals addressed to its services
    arrive in that organisation's inbox, and its managers maintain its services. Without it, referrals are printed.
    """

    name = models.CharField(max_length=255, verbose_name=_("name"), help_text=_("Official or public name."))
    alternate_name = models.CharField(max_length=255, blank=True, verbose_name=_("alternate name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))
    website = models.CharField(max_length=500, blank=True, verbose_name=_("website"))
    tax_status = models.CharField(max_length=255, blank=True, verbose_name=_("tax status"))
    tax_id = models.CharField(max_length=255, blank=True, verbose_name=_("tax identifier"))
    year_incorporated = models.IntegerField(null=True, blank=True, verbose_name=_("year incorporated"))
    legal_status = models.CharField(
        max_length=255, blank=True, verbose_name=_("legal status"),
        help_text=_("Non-profit, private company, government organisation…"),
    )
    logo = models.CharField(max_length=500, blank=True, verbose_name=_("logo address"))
    uri = models.CharField(max_length=500, blank=True, verbose_name=_("persistent identifier (URI)"))
    # A plain identifier, not a foreign key: HSDS publishers point at parent organisations (and parent terms) that
    # are often outside the published data set; the hierarchy resolves when the parent is there too.
    parent_organization_id = models.UUIDField(null=True, blank=True, verbose_name=_("parent organisation"))
    parcours_organisation = models.ForeignKey(
        ParcoursOrganisation, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="directory_organizations", verbose_name=_("Parcours organisation"),
        help_text=_("The Parcours organisation that receives referrals to this organisation's services."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("directory organisation")
        verbose_name_plural = _("directory organisations")

    def __str__(self) -> str:
        return self.display_name


class Program(BaseModel):
    """A programme of an organisation under which services are delivered (HSDS ``program``)."""

    organization = _fk(Organization, "programs", _("organisation"))
    name = models.CharField(max_length=255, verbose_name=_("name"))
    alternate_name = models.CharField(max_length=255, blank=True, verbose_name=_("alternate name"))
    description = models.TextField(blank=True, verbose_name=_("description"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("directory programme")
        verbose_name_plural = _("directory programmes")

    def __str__(self) -> str:
        return self.name


class Taxonomy(BaseModel):
    """A list of terms services are classified with (HSDS ``taxonomy``), e.g. the Parcours needs taxonomy."""

    name = models.CharField(max_length=255, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    uri = models.CharField(max_length=500, blank=True, verbose_name=_("URI"))
    version = models.CharField(max_length=100, blank=True, verbose_name=_("version"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(TranslatedName, BaseModel):
    """A term of a taxonomy (HSDS ``taxonomy_term``): for Parcours, a need such as "food" or "legal-aid".

    ``code`` is unique within its taxonomy; the needs of case plans and the service gaps of zone diagnostics use
    the codes of the Parcours needs taxonomy.
    """

    code = models.CharField(
        max_length=100, blank=True, db_index=True, verbose_name=_("code"),
        help_text=_("The term's code in its taxonomy, e.g. food, legal-aid."),
    )
    name = models.CharField(max_length=255, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    parent_id = models.UUIDField(
        null=True, blank=True, db_index=True, verbose_name=_("parent term"),
        help_text=_("Identifier of the parent term, which may belong to a taxonomy not loaded here."),
    )
    taxonomy_name = models.CharField(
        max_length=255, blank=True, verbose_name=_("taxonomy name"),
        help_text=_("HSDS “taxonomy”: the name of the taxonomy, when it has no record of its own."),
    )
    language = models.CharField(max_length=10, blank=True, verbose_name=_("language"))
    taxonomy = _fk(Taxonomy, "terms", _("taxonomy"))
    term_uri = models.CharField(max_length=500, blank=True, verbose_name=_("term URI"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        constraints = [
            models.UniqueConstraint(
                fields=["taxonomy", "code"], condition=~models.Q(code=""), name="directory_term_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class Service(TranslatedName, BaseModel):
    """A service an organisation offers (HSDS ``service``): who it is for, what it costs, where and when.

    ``taxonomy_terms`` are the needs the service answers (HSDS attributes linking the service to terms);
    ``service_areas`` are the zones it covers (HSDS service areas tied to Parcours zones).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")
        DEFUNCT = "defunct", _("defunct")
        TEMPORARILY_CLOSED = "temporarily closed", _("temporarily closed")

    organization = _fk(Organization, "services", _("organisation"), on_delete=models.PROTECT)
    program = _fk(Program, "services", _("programme"), on_delete=models.SET_NULL)
    name = models.CharField(max_length=255, verbose_name=_("name"))
    alternate_name = models.CharField(max_length=255, blank=True, verbose_name=_("alternate name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    url = models.CharField(max_length=500, blank=True, verbose_name=_("web address"))
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.ACTIVE, db_index=True, verbose_name=_("status")
    )
    interpretation_services = models.TextField(blank=True, verbose_name=_("interpretation services"))
    application_process = models.TextField(
        blank=True, verbose_name=_("how to apply"), help_text=_("The steps needed to access the service.")
    )
    fees_description = models.TextField(blank=True, verbose_name=_("fees"))
    wait_time = models.CharField(max_length=255, blank=True, verbose_name=_("waiting time"))
    fees = models.TextField(blank=True, verbose_name=_("fees (legacy field)"))
    accreditations = models.TextField(blank=True, verbose_name=_("accreditations"))
    eligibility_description = models.TextField(
        blank=True, verbose_name=_("eligibility"), help_text=_("Who the service is for.")
    )
    minimum_age = models.FloatField(null=True, blank=True, verbose_name=_("minimum age"))
    maximum_age = models.FloatField(null=True, blank=True, verbose_name=_("maximum age"))
    assured_date = models.DateField(
        null=True, blank=True, verbose_name=_("checked on"), help_text=_("When this information was last checked.")
    )
    assurer_email = models.EmailField(blank=True, verbose_name=_("checked by (e-mail)"))
    licenses = models.TextField(blank=True, verbose_name=_("licences"))
    alert = models.TextField(blank=True, verbose_name=_("alert"), help_text=_("Short-term notice."))
    taxonomy_terms = models.ManyToManyField(
        TaxonomyTerm, through="Attribute", through_fields=("service", "taxonomy_term"), blank=True,
        related_name="services", verbose_name=_("needs answered"),
    )
    service_areas = models.ManyToManyField(
        Zone, through="ServiceArea", through_fields=("service", "zone"), blank=True,
        related_name="directory_services", verbose_name=_("zones covered"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.display_name


class Location(BaseModel):
    """A place where services are delivered, or a postal or virtual address (HSDS ``location``)."""

    class LocationType(models.TextChoices):
        PHYSICAL = "physical", _("physical")
        POSTAL = "postal", _("postal")
        VIRTUAL = "virtual", _("virtual")

    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL, verbose_name=_("kind")
    )
    url = models.CharField(max_length=500, blank=True, verbose_name=_("web address"))
    organization = _fk(Organization, "locations", _("organisation"))
    name = models.CharField(max_length=255, blank=True, verbose_name=_("name"))
    alternate_name = models.CharField(max_length=255, blank=True, verbose_name=_("alternate name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    transportation = models.TextField(blank=True, verbose_name=_("transport"))
    latitude = models.FloatField(
        null=True, blank=True, verbose_name=_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, verbose_name=_("longitude"),
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    external_identifier = models.CharField(max_length=255, blank=True, verbose_name=_("external identifier"))
    external_identifier_type = models.CharField(max_length=100, blank=True, verbose_name=_("external identifier type"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name or str(self.pk)


class ServiceAtLocation(BaseModel):
    """A service delivered at a location (HSDS ``service_at_location``)."""

    service = _fk(Service, "service_at_locations", _("service"))
    location = _fk(Location, "service_at_locations", _("location"))
    description = models.TextField(blank=True, verbose_name=_("description"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class Address(BaseModel):
    """A postal or physical address of a location (HSDS ``address``)."""

    location = _fk(Location, "addresses", _("location"))
    attention = models.CharField(max_length=255, blank=True, verbose_name=_("for the attention of"))
    address_1 = models.CharField(max_length=255, verbose_name=_("address"))
    address_2 = models.CharField(max_length=255, blank=True, verbose_name=_("address (continued)"))
    city = models.CharField(max_length=255, verbose_name=_("city"))
    region = models.CharField(max_length=255, blank=True, verbose_name=_("region"))
    state_province = models.CharField(max_length=255, blank=True, verbose_name=_("state or province"))
    postal_code = models.CharField(max_length=50, blank=True, verbose_name=_("postal code"))
    country = models.CharField(
        max_length=2, blank=True, verbose_name=_("country"), help_text=_("ISO 3166-1 two-letter code.")
    )
    address_type = models.CharField(
        max_length=10, choices=Location.LocationType.choices, default=Location.LocationType.PHYSICAL,
        verbose_name=_("kind"),
    )

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address_1, self.address_2, self.city) if p)


class Contact(BaseModel):
    """A person to contact about an organisation, service or location (HSDS ``contact``)."""

    organization = _fk(Organization, "contacts", _("organisation"))
    service = _fk(Service, "contacts", _("service"))
    service_at_location = _fk(ServiceAtLocation, "contacts", _("service at a location"))
    location = _fk(Location, "contacts", _("location"))
    name = models.CharField(max_length=255, blank=True, verbose_name=_("name"))
    title = models.CharField(max_length=255, blank=True, verbose_name=_("job title"))
    department = models.CharField(max_length=255, blank=True, verbose_name=_("department"))
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or str(self.pk)


class Phone(BaseModel):
    """A phone number of an organisation, service, location or contact (HSDS ``phone``)."""

    location = _fk(Location, "phones", _("location"))
    service = _fk(Service, "phones", _("service"))
    organization = _fk(Organization, "phones", _("organisation"))
    contact = _fk(Contact, "phones", _("contact"))
    service_at_location = _fk(ServiceAtLocation, "phones", _("service at a location"))
    number = models.CharField(max_length=100, verbose_name=_("number"))
    extension = models.IntegerField(null=True, blank=True, verbose_name=_("extension"))
    type = models.CharField(
        max_length=20, blank=True, verbose_name=_("type"), help_text=_("text, voice, fax, cell, video, pager…")
    )
    description = models.TextField(blank=True, verbose_name=_("description"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("phone")
        verbose_name_plural = _("phones")

    def __str__(self) -> str:
        return self.number


class Schedule(BaseModel):
    """When a service or location is open, as iCalendar-like recurrence (HSDS ``schedule``)."""

    service = _fk(Service, "schedules", _("service"))
    location = _fk(Location, "schedules", _("location"))
    service_at_location = _fk(ServiceAtLocation, "schedules", _("service at a location"))
    valid_from = models.DateField(null=True, blank=True, verbose_name=_("valid from"))
    valid_to = models.DateField(null=True, blank=True, verbose_name=_("valid to"))
    dtstart = models.DateField(null=True, blank=True, verbose_name=_("first event"))
    timezone = models.FloatField(null=True, blank=True, verbose_name=_("UTC offset"))
    until = models.DateField(null=True, blank=True, verbose_name=_("until"))
    count = models.IntegerField(null=True, blank=True, verbose_name=_("count"))
    wkst = models.CharField(max_length=2, blank=True, verbose_name=_("week starts on"))
    freq = models.CharField(max_length=10, blank=True, verbose_name=_("frequency"), help_text=_("WEEKLY or MONTHLY."))
    interval = models.IntegerField(null=True, blank=True, verbose_name=_("interval"))
    byday = models.CharField(max_length=100, blank=True, verbose_name=_("days"), help_text=_("e.g. MO,TU,WE"))
    byweekno = models.CharField(max_length=255, blank=True, verbose_name=_("weeks of the year"))
    bymonthday = models.CharField(max_length=255, blank=True, verbose_name=_("days of the month"))
    byyearday = models.CharField(max_length=255, blank=True, verbose_name=_("days of the year"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    opens_at = models.CharField(max_length=20, blank=True, verbose_name=_("opens at"), help_text=_("HH:MM"))
    closes_at = models.CharField(max_length=20, blank=True, verbose_name=_("closes at"), help_text=_("HH:MM"))
    schedule_link = models.CharField(max_length=500, blank=True, verbose_name=_("booking link"))
    attending_type = models.CharField(max_length=255, blank=True, verbose_name=_("how to attend"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    DAYS = (("MO", _("Monday")), ("TU", _("Tuesday")), ("WE", _("Wednesday")), ("TH", _("Thursday")),
            ("FR", _("Friday")), ("SA", _("Saturday")), ("SU", _("Sunday")))

    def __str__(self) -> str:
        return self.description or f"{self.byday} {self.opens_at}-{self.closes_at}"

    @property
    def days_display(self) -> str:
        """``byday`` in words, in the reader's language (MO,TU → Monday, Tuesday); other codes as they are."""
        names = dict(self.DAYS)
        return ", ".join(str(names.get(code.strip(), code.strip())) for code in self.byday.split(",") if code.strip())


class Funding(BaseModel):
    """Where an organisation's or service's money comes from (HSDS ``funding``)."""

    organization = _fk(Organization, "funding", _("organisation"))
    service = _fk(Service, "funding", _("service"))
    source = models.TextField(blank=True, verbose_name=_("source"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("funding")
        verbose_name_plural = _("funding")

    def __str__(self) -> str:
        return self.source[:80]


class ServiceArea(BaseModel):
    """An area a service covers (HSDS ``service_area``), tied to a Parcours zone when it is one."""

    service = _fk(Service, "areas", _("service"))
    name = models.CharField(max_length=500, blank=True, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    extent = models.TextField(blank=True, verbose_name=_("extent"), help_text=_("Area geometry, e.g. GeoJSON."))
    extent_type = models.CharField(max_length=20, blank=True, verbose_name=_("extent format"))
    uri = models.CharField(max_length=500, blank=True, verbose_name=_("URI"))
    zone = models.ForeignKey(
        Zone, null=True, blank=True, on_delete=models.PROTECT, related_name="directory_service_areas",
        verbose_name=_("zone"), help_text=_("The Parcours zone this area is (this zone and everything under it)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return self.name


class RequiredDocument(BaseModel):
    """A document needed to apply for a service (HSDS ``required_document``)."""

    service = _fk(Service, "required_documents", _("service"))
    document = models.TextField(blank=True, verbose_name=_("document"))
    uri = models.CharField(max_length=500, blank=True, verbose_name=_("URI"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.document[:80]


class Language(BaseModel):
    """A language a service, location or phone line works in (HSDS ``language``)."""

    service = _fk(Service, "languages", _("service"))
    location = _fk(Location, "languages", _("location"))
    phone = _fk(Phone, "languages", _("phone"))
    name = models.CharField(max_length=100, blank=True, verbose_name=_("name"))
    code = models.CharField(max_length=10, blank=True, verbose_name=_("code"), help_text=_("ISO 639 code."))
    note = models.TextField(blank=True, verbose_name=_("note"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def display_name(self) -> str:
        """The language's name in the reader's language when Django knows its code, else the name as recorded."""
        from django.utils.translation import get_language_info

        try:
            return get_language_info(self.code)["name_translated"] if self.code else self.name
        except KeyError:
            return self.name or self.code


class Accessibility(BaseModel):
    """What helps people with disabilities reach a location (HSDS ``accessibility``)."""

    location = _fk(Location, "accessibility", _("location"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    details = models.TextField(blank=True, verbose_name=_("details"))
    url = models.CharField(max_length=500, blank=True, verbose_name=_("web address"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("accessibility")
        verbose_name_plural = _("accessibility")

    def __str__(self) -> str:
        return self.description[:80]


class CostOption(BaseModel):
    """A price of a service for some people or period (HSDS ``cost_option``)."""

    service = _fk(Service, "cost_options", _("service"))
    valid_from = models.DateField(null=True, blank=True, verbose_name=_("valid from"))
    valid_to = models.DateField(null=True, blank=True, verbose_name=_("valid to"))
    option = models.TextField(blank=True, verbose_name=_("conditions"))
    currency = models.CharField(max_length=3, blank=True, verbose_name=_("currency"))
    amount = models.FloatField(null=True, blank=True, verbose_name=_("amount"))
    amount_description = models.TextField(blank=True, verbose_name=_("amount description"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("cost option")
        verbose_name_plural = _("cost options")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.option}".strip()


class OrganizationIdentifier(BaseModel):
    """A third-party identifier of an organisation: company, charity or tax number (HSDS)."""

    organization = _fk(Organization, "organization_identifiers", _("organisation"))
    identifier_scheme = models.CharField(max_length=100, blank=True, verbose_name=_("scheme"))
    identifier_type = models.CharField(max_length=255, verbose_name=_("type"))
    identifier = models.CharField(max_length=255, verbose_name=_("identifier"))

    class Meta:
        ordering = ["identifier_type"]
        verbose_name = _("organisation identifier")
        verbose_name_plural = _("organisation identifiers")

    def __str__(self) -> str:
        return f"{self.identifier_type} {self.identifier}"


class Attribute(BaseModel):
    """A taxonomy term attached to any HSDS record (HSDS ``attribute``).

    ``link_entity`` and ``link_id`` say which record; when it is a service, ``service`` points at it too, which
    is how ``Service.taxonomy_terms`` is queried.
    """

    link_id = models.UUIDField(verbose_name=_("linked record"))
    link_entity = models.CharField(max_length=50, verbose_name=_("linked table"), help_text=_("e.g. service"))
    link_type = models.CharField(max_length=100, blank=True, verbose_name=_("link type"))
    value = models.TextField(blank=True, verbose_name=_("value"))
    taxonomy_term = _fk(TaxonomyTerm, "attributes", _("taxonomy term"))
    service = _fk(Service, "term_links", _("service"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        indexes = [models.Index(fields=["link_entity", "link_id"])]

    def __str__(self) -> str:
        return f"{self.link_entity}:{self.link_id} {self.taxonomy_term_id}"


class Metadata(BaseModel):
    """A change made to an HSDS record, as its source recorded it (HSDS ``metadata``)."""

    resource_id = models.UUIDField(db_index=True, verbose_name=_("record"))
    resource_type = models.CharField(max_length=50, verbose_name=_("table"))
    last_action_date = models.CharField(max_length=40, verbose_name=_("date"))
    last_action_type = models.CharField(max_length=50, verbose_name=_("action"))
    field_name = models.CharField(max_length=100, blank=True, verbose_name=_("field"))
    previous_value = models.TextField(blank=True, verbose_name=_("previous value"))
    replacement_value = models.TextField(blank=True, verbose_name=_("new value"))
    updated_by = models.CharField(max_length=255, blank=True, verbose_name=_("updated by"))

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self) -> str:
        return f"{self.resource_type}:{self.resource_id} {self.last_action_type}"


class MetaTableDescription(BaseModel):
    """A description of a table of the data set: language, character set (HSDS ``meta_table_description``)."""

    name = models.CharField(max_length=255, blank=True, verbose_name=_("name"))
    language = models.CharField(max_length=10, blank=True, verbose_name=_("language"))
    character_set = models.CharField(max_length=50, blank=True, verbose_name=_("character set"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("table description")
        verbose_name_plural = _("table descriptions")

    def __str__(self) -> str:
        return self.name
