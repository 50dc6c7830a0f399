"""Every slash command, who may use it, and the menus built from that one list."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.members import Role


@dataclass(frozen=True)
class CommandSpec:
    """A command: its name, the role it needs (None: every member), and whether strangers may."""

    name: str
    role: Role | None = None
    public: bool = False


# Order here is the order in /help and in Telegram's command menu.
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", public=True),
    CommandSpec("help", public=True),
    CommandSpec("quiz"),
    CommandSpec("review"),
    CommandSpec("me"),
    # With reports.open_to: anyone, strangers may use these two as well: the gate admits them
    # to exactly the updates the anonymous-report conversation claims (see access.PUBLIC_FLOWS).
    CommandSpec("report"),
    CommandSpec("status"),
    CommandSpec("settings"),
    CommandSpec("cancel", public=True),
    CommandSpec("digest", Role.LEADER),
    CommandSpec("reports", Role.REVIEWER),
    CommandSpec("invite", Role.ADMIN),
    CommandSpec("members", Role.ADMIN),
    CommandSpec("broadcast", Role.ADMIN),
    CommandSpec("assign", Role.ADMIN),
    CommandSpec("reload", Role.ADMIN),
    CommandSpec("plan", Role.ADMIN),
    CommandSpec("items", Role.ADMIN),
)

PUBLIC_COMMANDS = frozenset(c.name for c in COMMANDS if c.public)

# Sections of /help, in order: everyone's commands first, then each role's.
HELP_SECTIONS: tuple[Role | None, ...] = (None, Role.LEADER, Role.REVIEWER, Role.ADMIN)


def commands_for(roles: frozenset[Role]) -> list[CommandSpec]:
    """The commands a member with these roles can use, in menu order."""
    return [c for c in COMMANDS if c.role is None or c.role in roles]
