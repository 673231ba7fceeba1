"""The register's own texts, in every language of the product (see ``privacy_registry.translated``)."""
from .models import (
    CorporateGroup,
    DataSource,
    DataSubjectCategory,
    NoticeStatement,
    Organisation,
    PersonalDataCategory,
    ProcessingActivity,
    Purpose,
    Recipient,
    StatedRight,
    Transfer,
)
from .translated import translated

translated(Organisation, ("rights_request_requirements", "scope_exclusions", "binding_language_note"))
translated(CorporateGroup, ("we_means",))
translated(StatedRight, ("channel", "deadline", "extension", "fee", "identity_rule", "delivery_format", "conditions"))
translated(DataSubjectCategory, ("name", "description", "age_check"))
translated(PersonalDataCategory, ("name", "description"))
translated(
    ProcessingActivity, ("name", "description", "retention_statement", "automated_logic"),
    m2m_fields=["subject_categories", "data_categories", "systems", "security_measures", "joint_controllers",
                "other_controllers"],
)
translated(Purpose, ("description", "legal_basis_as_stated", "legal_basis_detail", "legitimate_interest",
                     "consequence_of_not_providing", "retention_statement"))
translated(DataSource, ("description",))
translated(Recipient, ("description",), m2m_fields=["data_categories"])
translated(Transfer, ("destination_description",))
translated(NoticeStatement, ("text",))
