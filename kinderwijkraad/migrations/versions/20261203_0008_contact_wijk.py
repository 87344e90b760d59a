"""a contact person works in one wijk

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00

Organisations are shared by the wijken of a municipality, their people are not: a facilitator
sees the contact persons of their own wijken only. A contact already named on a proposal belongs
to that proposal's wijk; else to the one wijk its organisation is a partner in; else it stays
without a wijk, listed for admins only.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('neighbourhood_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_contact_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_contact_neighbourhood_id_neighbourhood'), 'neighbourhood',
                                    ['neighbourhood_id'], ['id'])
    op.execute("""
        UPDATE contact SET neighbourhood_id = (
            SELECT MIN(cycle.neighbourhood_id) FROM recipient
            JOIN proposal ON proposal.id = recipient.proposal_id
            JOIN cycle ON cycle.id = proposal.cycle_id
            WHERE recipient.contact_id = contact.id)
    """)
    # Never on a proposal: the one wijk their organisation is a partner in, if it is only one.
    op.execute("""
        UPDATE contact SET neighbourhood_id = (
            SELECT MIN(cycle.neighbourhood_id) FROM partnership
            JOIN cycle ON cycle.id = partnership.cycle_id
            WHERE partnership.organisation_id = contact.organisation_id)
        WHERE neighbourhood_id IS NULL AND (
            SELECT COUNT(DISTINCT cycle.neighbourhood_id) FROM partnership
            JOIN cycle ON cycle.id = partnership.cycle_id
            WHERE partnership.organisation_id = contact.organisation_id) = 1
    """)


def downgrade() -> None:
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_contact_neighbourhood_id_neighbourhood'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_contact_neighbourhood_id'))
        batch_op.drop_column('neighbourhood_id')
