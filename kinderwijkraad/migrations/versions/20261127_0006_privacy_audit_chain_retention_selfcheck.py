"""privacy audit chain retention selfcheck

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 07:59:19.629977
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('retentionrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('cycle_ids', sa.JSON(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retentionrun'))
    )
    with op.batch_alter_table('retentionrun', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retentionrun_at'), ['at'], unique=False)

    op.create_table('privacysettings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.CheckConstraint('retention_days BETWEEN 0 AND 3650', name=op.f('ck_privacysettings_retention_days_range')),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], name=op.f('fk_privacysettings_updated_by_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacysettings'))
    )
    op.create_table('selfcheck',
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_selfcheck_cycle_id_cycle')),
    sa.ForeignKeyConstraint(['updated_by'], ['user.id'], name=op.f('fk_selfcheck_updated_by_user')),
    sa.PrimaryKeyConstraint('cycle_id', name=op.f('pk_selfcheck'))
    )
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.alter_column('subject_id',
               existing_type=sa.INTEGER(),
               nullable=True)
    _chain_existing_entries()
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.alter_column('entry_hash', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_auditentry_entry_hash'), ['entry_hash'])
        batch_op.create_unique_constraint(batch_op.f('uq_auditentry_prev_hash'), ['prev_hash'])

    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('child_data_removed_at', sa.DateTime(timezone=True), nullable=True))



def _chain_existing_entries() -> None:
    """Entries written before the chain existed get their hashes now, in the order they were made."""
    from kinderwijkraad.models.proposals import audit_digest

    entries = sa.table('auditentry', sa.column('id'), sa.column('at', sa.DateTime(timezone=True)), sa.column('user_id'), sa.column('actor'),
                       sa.column('action'), sa.column('subject'), sa.column('subject_id'), sa.column('cycle_id'),
                       sa.column('detail', sa.JSON()), sa.column('prev_hash'), sa.column('entry_hash'))
    connection = op.get_bind()
    previous = ""
    for row in connection.execute(sa.select(entries).order_by(entries.c.id)).mappings().all():
        digest = audit_digest(previous, row['at'], row['user_id'], row['actor'], row['action'], row['subject'],
                              row['subject_id'], row['cycle_id'], row['detail'] or {})
        connection.execute(sa.update(entries).where(entries.c.id == row['id'])
                           .values(prev_hash=previous, entry_hash=digest))
        previous = digest


def downgrade() -> None:
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_column('child_data_removed_at')

    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_auditentry_prev_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_auditentry_entry_hash'), type_='unique')
        batch_op.alter_column('subject_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('prev_hash')

    op.drop_table('selfcheck')
    op.drop_table('privacysettings')
    with op.batch_alter_table('retentionrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retentionrun_at'))

    op.drop_table('retentionrun')
