"""Invented names and note texts. Notes carry names on purpose: they are the PII the
platform must keep in the raw layer. Accented names exercise Windows-1252 exports."""

from __future__ import annotations

import numpy as np

FIRST_NAMES = (
    "Amber", "Ashley", "Brittany", "Crystal", "Danielle", "Jessica", "Kayla", "Megan",
    "Samantha", "Tiffany", "Heather", "Nicole", "Stephanie", "Amanda", "Chelsea", "Jasmine",
    "Destiny", "Brianna", "Maria", "Rosa", "Guadalupe", "Keisha", "Tasha", "Latoya", "Aaliyah",
    "Hannah", "Emily", "Sarah", "Rachel", "Kimberly", "Misty", "Tonya", "Angela", "Holly",
    "Michael", "Joshua", "Tyler", "Brandon", "Justin", "Cody", "Travis", "Derek", "Marcus",
    "DeShawn", "Luis", "Carlos", "Jamal", "Kevin", "Ryan", "Dustin",
    "José", "María", "Sofía", "Zoë", "Renée", "Chloé", "Inés", "Andrés", "Nicolás", "Raúl",
    "Mónica", "Beatriz", "Joël",
)
LAST_NAMES = (
    "Anderson", "Johnson", "Miller", "Smith", "Peterson", "Larson", "Nelson", "Olson",
    "Schmidt", "Mueller", "Hansen", "Jensen", "Christensen", "Brown", "Davis", "Wilson",
    "Moore", "Taylor", "Thomas", "Jackson", "White", "Harris", "Martin", "Thompson",
    "Robinson", "Clark", "Lewis", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Baker", "Nguyen", "Tran", "Vang", "Yang", "Washington", "Williams", "Jones", "Lopez",
    "Hernández", "García", "Gómez", "Muñoz", "Peña", "Núñez", "Rodríguez", "Martínez",
    "Sánchez", "Ramírez", "Ibáñez", "Lefèvre", "Brandão",
)
CHILD_NAMES = (
    "Aiden", "Mason", "Liam", "Noah", "Emma", "Olivia", "Ava", "Mia", "Harper", "Elijah",
    "Jayden", "Kaylee", "Brayden", "Lily", "Isabella", "Camila", "Mateo", "Zoë", "Jesús",
    "Ximena",
)

FAMILY_NOTES = (
    "Met {parent} at home; reviewed the case plan goals.",
    "Drove {parent} to the substance abuse evaluation.",
    "{parent} called upset about the visitation schedule; talked it through.",
    "Went with {parent} to court; caseworker {worker} was there.",
    "Supervised visit went well, {child} was happy to see {parent}.",
    "Reminded {parent} about the FTDM on Thursday.",
    "Helped {parent} fill out the housing application.",
    "Staffing with {worker} about {child}'s school placement.",
    "{parent} is 60 days sober, proud of her progress.",
    "Talked with {parent} about rights and responsibilities.",
    "Checked in by phone, {parent} has a job interview.",
    "{parent} and {child} at the library story time.",
)
PARENT_PARTNER_NOTES = {
    "committee_meeting": ("County child welfare committee.", "Community partnerships meeting."),
    "presentation": ("Presentation to new caseworkers.", "Spoke at the county CPPC event."),
    "training_attended": ("Core training session.", "Webinar on trauma-informed care."),
    "support_session": ("Parent support group at the library.", "Peer support session."),
    "coordinator_supervision": ("Monthly supervision with the coordinator.",
                                "Case consultation with the coordinator."),
}


def _pick(rng: np.random.Generator, names: tuple[str, ...]) -> str:
    return names[int(rng.random() * len(names))]


def full_name(rng: np.random.Generator) -> tuple[str, str]:
    return _pick(rng, FIRST_NAMES), _pick(rng, LAST_NAMES)


def family_note(rng: np.random.Generator, parent: str) -> str:
    template = _pick(rng, FAMILY_NOTES)
    worker = f"{_pick(rng, FIRST_NAMES)} {_pick(rng, LAST_NAMES)}"
    return template.format(parent=parent, worker=worker, child=_pick(rng, CHILD_NAMES))


def parent_partner_note(rng: np.random.Generator, activity_type: str) -> str:
    return _pick(rng, PARENT_PARTNER_NOTES[activity_type])
