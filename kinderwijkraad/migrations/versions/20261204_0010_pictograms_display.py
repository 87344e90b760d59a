"""pictures beside theme names, and each tablet's display preference

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 15:30:00

A theme may carry a pictogram (a name from assets/pictograms/ or one emoji). A tablet's choice of
bigger text and high contrast is kept by the hash of the token in its address.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pictogram', sa.String(length=40), nullable=True))
    op.create_table(
        'displaypreference',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('large_text', sa.Boolean(), nullable=False),
        sa.Column('high_contrast', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_displaypreference')),
    )


def downgrade() -> None:
    op.drop_table('displaypreference')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_column('pictogram')
