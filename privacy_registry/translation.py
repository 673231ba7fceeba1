"""The register's own texts, in every language of the product (see ``privacy_registry.translated``).

``organisation=``: how an object reaches the organisation whose primary language its texts are required in."""
from .models import (
    CorporateGroup,
    DataSource,
    DataSubjectCategory,
    NoticeStatement,
    Office,
    Organisation,
    PersonalDataCategory,
    PrivacyContact,
    ProcessingActivity,
    Purpose,
    Recipient,
    SecurityMeasure,
    StatedRight,
    Transfer,
    Vendor,
)
from .translated import translated

translated(Organisation, ("rights_request_requirements", "scope_exclusions", "binding_language_note",
                         "registry_details", "applicable_law", "lead_authority"),
           organisation="self")
translated(CorporateGroup, ("we_means",))
translated(StatedRight, ("channel", "deadline", "extension", "fee", "identity_rule", "delivery_format", "conditions"),
           organisation="organisation")
translated(PrivacyContact, ("name",), organisation="organisation")
translated(Office, ("name",), organisation="organisation")
translated(DataSubjectCategory, ("name", "description", "age_check"), organisation="organisation")
translated(PersonalDataCategory, ("name", "description"), organisation="organisation")
translated(Vendor, ("service",), organisation="organisation")
translated(SecurityMeasure, ("name", "description"), organisation="organisation")
translated(
    ProcessingActivity, ("name", "description", "retention_statement", "automated_logic"),
    organisation="organisation",
    m2m_fields=["subject_categories", "data_categories", "systems", "security_measures", "joint_controllers",
                "other_controllers"],
)
translated(Purpose, ("description", "legal_basis_as_stated", "legal_basis_detail", "legitimate_interest",
                     "consequence_of_not_providing", "retention_statement"), organisation="activity__organisation")
translated(DataSource, ("description",), organisation="activity__organisation")
translated(Recipient, ("description",), organisation="activity__organisation", m2m_fields=["data_categories"])
translated(Transfer, ("destination_description",), organisation="activity__organisation")
translated(NoticeStatement, ("text",), organisation="organisation")
