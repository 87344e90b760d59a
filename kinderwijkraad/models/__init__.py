"""SQLModel tables, one module per domain area. Importing this package registers them all."""

from sqlmodel import SQLModel

# A naming convention makes constraint names stable across SQLite and PostgreSQL, so migrations
# can drop and alter them by name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from kinderwijkraad.models.accounts import (  # noqa: E402
    ClassroomTeacher,
    FacilitatorNeighbourhood,
    LoginThrottle,
    Role,
    User,
    UserCreate,
    UserUpdate,
)
from kinderwijkraad.models.council import (  # noqa: E402
    Attendance,
    Consent,
    CouncilMember,
    CouncilRole,
    Installation,
    Meeting,
    WorkItem,
    WorkStatus,
)
from kinderwijkraad.models.lessons import (  # noqa: E402
    BrainstormNote,
    Device,
    DisplayPreference,
    FieldType,
    Lesson,
    LessonRun,
    LessonSeries,
    LessonTemplate,
    Mood,
    Plan,
    PlanField,
    PlanForm,
    PlanStatus,
    Step,
    StepKind,
    Team,
    Text,
    Theme,
)
from kinderwijkraad.models.mail import MailKind, MailMessage, MailStatus  # noqa: E402
from kinderwijkraad.models.neighbourhoods import (  # noqa: E402
    Classroom,
    ClassroomCreate,
    Contact,
    ContactCreate,
    Cycle,
    CycleCreate,
    Neighbourhood,
    NeighbourhoodCreate,
    Organisation,
    OrganisationCreate,
    OrganisationKind,
    Partnership,
    PartnershipCreate,
    Phase,
    School,
    SchoolCreate,
)
from kinderwijkraad.models.privacy import (  # noqa: E402
    DEFAULT_RETENTION_DAYS,
    PrivacySettings,
    RetentionRun,
    SelfCheck,
)
from kinderwijkraad.models.proposals import (  # noqa: E402
    AnswerSource,
    AuditEntry,
    CostBand,
    Decision,
    FeedbackShare,
    Proposal,
    ProposalInput,
    ProposalPlan,
    Recipient,
    RecipientStatus,
    ReplyLink,
)
from kinderwijkraad.models.voting import (  # noqa: E402
    Ballot,
    BallotKind,
    Booth,
    Candidate,
    CountMethod,
    OptionSubject,
    PaperTally,
    Poll,
    PollOption,
    PollStatus,
    Receipt,
    VotingCard,
)

__all__ = [
    "Classroom", "ClassroomCreate", "ClassroomTeacher", "Contact", "ContactCreate", "Cycle",
    "CycleCreate", "FacilitatorNeighbourhood", "LoginThrottle", "Neighbourhood",
    "NeighbourhoodCreate", "Organisation", "OrganisationCreate", "OrganisationKind", "Partnership",
    "PartnershipCreate", "Phase", "Role", "School", "SchoolCreate", "User", "UserCreate",
    "UserUpdate", "BrainstormNote", "Device", "DisplayPreference", "FieldType", "Lesson", "LessonRun", "LessonSeries",
    "LessonTemplate", "Mood", "Plan", "PlanField", "PlanForm", "PlanStatus", "Step", "StepKind", "Team", "Text",
    "Theme", "Ballot", "BallotKind", "Booth", "Candidate", "CountMethod", "OptionSubject", "PaperTally", "Poll",
    "PollOption", "PollStatus", "Receipt", "VotingCard",
    "Attendance", "Consent", "CouncilMember", "CouncilRole", "Installation", "Meeting", "WorkItem",
    "WorkStatus", "AnswerSource", "AuditEntry", "CostBand", "Decision", "FeedbackShare", "Proposal", "ProposalInput",
    "ProposalPlan", "Recipient", "RecipientStatus", "ReplyLink",
    "MailKind", "MailMessage", "MailStatus",
    "DEFAULT_RETENTION_DAYS", "PrivacySettings", "RetentionRun", "SelfCheck",
]
