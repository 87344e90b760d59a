"""child words name the answer they were written for

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 08:00:00

The facilitator's words for the children belong to one version of an official's answer: when the
answer changes, they are out of date and the class's sheet waits for new ones. Words already
written are taken to belong to the answer as it stands, unless they are the letter itself.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_answer_revision', sa.Integer(), nullable=True))
    # The old form started from the official's letter: words left equal to it were never rewritten.
    op.execute("UPDATE recipient SET child_answer_revision = answer_revision "
               "WHERE child_answer <> '' AND child_answer <> reasons")


def downgrade() -> None:
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.drop_column('child_answer_revision')
