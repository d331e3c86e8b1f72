"""Imports every domain's models so that SQLAlchemy and Alembic see the whole schema."""
from outreach.artists.models import Artist, Unavailability  # noqa: F401
from outreach.attendance.models import Attendance  # noqa: F401
from outreach.audit.models import AuditEvent  # noqa: F401
from outreach.auth.models import ApiToken, Invitation, PasswordReset, User  # noqa: F401
from outreach.locks import ScheduleLock  # noqa: F401
from outreach.funders.models import Funder  # noqa: F401
from outreach.initiatives.models import Initiative, initiative_funder  # noqa: F401
from outreach.notifications.models import OutboxMessage  # noqa: F401
from outreach.reports.models import ImpactFact, ImpactPending, ImpactReach, ImpactSchool, ImpactScope, ImpactWorkshop  # noqa: F401
from outreach.schools.models import Region, School, SchoolLanguage  # noqa: F401
from outreach.signups.models import Signup  # noqa: F401
from outreach.students.models import GuardianConsent, HeldSearch, ImportPreview, Student  # noqa: F401
from outreach.venues.models import Venue  # noqa: F401
from outreach.workshops.models import Workshop, WorkshopSeries  # noqa: F401
from outreach.cache import ScopeVersion  # noqa: F401
from outreach.outcomes.models import Question, Questionnaire, Response, TeacherLink  # noqa: F401
