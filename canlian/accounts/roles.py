"""Roles and what each may do. Deny by default: a permission not listed here is not granted.

The three administrators are separated so that none can both grant permissions and read the
audit log: the system administrator keeps the jurisdiction tree and settings, the security
administrator manages accounts, the audit administrator reads the log. Nobody deletes it.
A role that reads the log or reveals full values is granted only by two security
administrators (accounts.approvals).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TOWNSHIP_OFFICER = "township_officer", _("Township disability officer")
    COUNTY_CLERK = "county_clerk", _("County federation clerk")
    CIVIL_AFFAIRS = "civil_affairs", _("County civil-affairs approver")
    CITY_STAFF = "city_staff", _("City federation staff")
    FINANCE = "finance", _("Finance officer")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


class Perm(models.TextChoices):
    VIEW_PERSON = "person.view", _("View the registry")
    CHANGE_PERSON = "person.change", _("Create and edit persons")
    REVEAL_PERSON = "person.reveal", _("Reveal full ID numbers and bank accounts")
    REVEAL_CONTACT = "person.reveal_contact", _("Reveal full phone numbers")
    EXPORT_PERSON = "person.export", _("Export the registry (masked)")
    EXPORT_REVEAL = "person.export_reveal", _("Export full ID numbers and bank accounts")
    VIEW_CERTIFICATE = "certificate.view", _("View certificate applications and certificates")
    PROCESS_CERTIFICATE = (
        "certificate.process",
        _("Process certificates: accept, assess, review, issue, renew, replace, transfer, cancel"),
    )
    DECIDE_OBJECTION = "certificate.objection", _("Decide objections to assessments")
    SUPERVISE_CERTIFICATE = "certificate.supervise", _("Run supervision checks of certificates")
    VIEW_LEVY = "levy.view", _("View employers and employment security fund declarations")
    MANAGE_LEVY = (
        "levy.manage",
        _("Register employers, take and verify declarations, issue levy notices"),
    )
    VIEW_SUBSIDY = "subsidy.view", _("View subsidy applications, enrolments and payment rolls")
    APPLY_SUBSIDY = "subsidy.apply", _("Take subsidy applications at the window")
    CHECK_SUBSIDY = "subsidy.check", _("Make the township's first check of subsidy applications")
    REVIEW_SUBSIDY = "subsidy.review", _("Review subsidy applications for the county federation")
    APPROVE_SUBSIDY = "subsidy.approve", _("Approve subsidy applications for civil affairs")
    PREPARE_PAYROLL = (
        "payroll.prepare",
        _("Prepare payment rolls, adjustments, bank files, reconciliations and recoveries"),
    )
    APPROVE_PAYROLL = "payroll.approve", _("Approve payment rolls prepared by someone else")
    VIEW_AUDIT = "audit.view", _("Read the audit log")
    MANAGE_ACCOUNTS = "accounts.manage", _("Manage accounts and roles")
    MANAGE_PLACES = "places.manage", _("Manage the jurisdiction tree and settings")


P = Perm
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.TOWNSHIP_OFFICER: frozenset(
        {
            P.VIEW_PERSON,
            P.CHANGE_PERSON,
            P.REVEAL_CONTACT,
            P.VIEW_CERTIFICATE,
            P.VIEW_SUBSIDY,
            P.APPLY_SUBSIDY,
            P.CHECK_SUBSIDY,
        }
    ),
    Role.COUNTY_CLERK: frozenset(
        {
            P.VIEW_PERSON,
            P.CHANGE_PERSON,
            P.REVEAL_PERSON,
            P.REVEAL_CONTACT,
            P.EXPORT_PERSON,
            P.VIEW_CERTIFICATE,
            P.PROCESS_CERTIFICATE,
            P.VIEW_LEVY,
            P.MANAGE_LEVY,
            P.VIEW_SUBSIDY,
            P.APPLY_SUBSIDY,
            P.REVIEW_SUBSIDY,
        }
    ),
    Role.CIVIL_AFFAIRS: frozenset(
        {
            P.VIEW_PERSON,
            P.REVEAL_PERSON,
            P.REVEAL_CONTACT,
            P.VIEW_CERTIFICATE,
            P.VIEW_SUBSIDY,
            P.APPROVE_SUBSIDY,
        }
    ),
    Role.CITY_STAFF: frozenset(
        {
            P.VIEW_PERSON,
            P.CHANGE_PERSON,
            P.REVEAL_PERSON,
            P.REVEAL_CONTACT,
            P.EXPORT_PERSON,
            P.EXPORT_REVEAL,
            P.VIEW_CERTIFICATE,
            P.PROCESS_CERTIFICATE,
            P.DECIDE_OBJECTION,
            P.SUPERVISE_CERTIFICATE,
            P.VIEW_LEVY,
            P.MANAGE_LEVY,
            P.VIEW_SUBSIDY,
            P.REVIEW_SUBSIDY,
        }
    ),
    Role.FINANCE: frozenset(
        {
            P.VIEW_PERSON,
            P.REVEAL_PERSON,
            P.REVEAL_CONTACT,
            P.EXPORT_PERSON,
            P.EXPORT_REVEAL,
            P.VIEW_LEVY,
            P.VIEW_SUBSIDY,
            P.PREPARE_PAYROLL,
            P.APPROVE_PAYROLL,
        }
    ),
    Role.AUDITOR: frozenset(
        {
            P.VIEW_PERSON,
            P.REVEAL_PERSON,
            P.REVEAL_CONTACT,
            P.EXPORT_PERSON,
            P.VIEW_AUDIT,
            P.VIEW_CERTIFICATE,
            P.VIEW_LEVY,
            P.VIEW_SUBSIDY,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset({P.MANAGE_PLACES}),
    Role.SECURITY_ADMIN: frozenset({P.MANAGE_ACCOUNTS}),
    Role.AUDIT_ADMIN: frozenset({P.VIEW_AUDIT}),
}

# Permissions that read the audit log or reveal or export full sensitive values. A role holding
# any of them is sensitive: granting it takes a second administrator (accounts.approvals).
# Opening a person's phone numbers (REVEAL_CONTACT, one person at a time, logged) is left out:
# phone numbers are ordinary personal information, not the sensitive kind (ID numbers, bank
# accounts) of GB/T 35273, and the township officer who needs them would otherwise take two
# administrators to create.
SENSITIVE_PERMS = frozenset({P.VIEW_AUDIT, P.REVEAL_PERSON, P.EXPORT_REVEAL})

# The levels of the jurisdiction tree an account of each role may be given (places.Level:
# 2 city, 3 county, 4 township, 5 village). A role's rights are meant for one level: a
# township officer's for a township, not a whole city.
ROLE_LEVELS: dict[str, frozenset[int]] = {
    Role.TOWNSHIP_OFFICER: frozenset({4, 5}),
    Role.COUNTY_CLERK: frozenset({3}),
    Role.CIVIL_AFFAIRS: frozenset({3}),
    Role.CITY_STAFF: frozenset({2}),
    Role.FINANCE: frozenset({2, 3}),
    Role.AUDITOR: frozenset({2}),
    Role.SYSTEM_ADMIN: frozenset({2}),
    Role.SECURITY_ADMIN: frozenset({2}),
    Role.AUDIT_ADMIN: frozenset({2}),
}

# Roles that see every record in the city regardless of their own node.
SEES_ALL = frozenset({Role.AUDITOR})
# Roles that may never write anything.
READ_ONLY = frozenset({Role.AUDITOR, Role.AUDIT_ADMIN})


def permissions_for(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())


def is_sensitive(role: str) -> bool:
    """Whether `role` holds a permission of SENSITIVE_PERMS."""
    return bool(permissions_for(role) & SENSITIVE_PERMS)
