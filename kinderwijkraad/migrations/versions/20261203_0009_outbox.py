"""the outbox: e-mails queued with the change that causes them, and reminder settings

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 17:00:00

Each message has a unique idempotency key, so a reminder can be queued only once however many
senders run. A wijk sets its reminders (7 days before the reply-by date, then 2 weekly ones by
default); a facilitator can pause them per recipient.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ('dossier', 'reminder', 'answered', 'feedback_due')
STATUSES = ('queued', 'sending', 'sent', 'failed', 'cancelled')


def upgrade() -> None:
    op.create_table(
        'mailmessage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='mailkind', native_enum=False, create_constraint=True,
                                  length=12), nullable=False),
        sa.Column('status', sa.Enum(*STATUSES, name='mailstatus', native_enum=False, create_constraint=True,
                                    length=9), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('cycle_id', sa.Integer(), nullable=True),
        sa.Column('reply_link_id', sa.Integer(), nullable=True),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('to_name', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('next_try_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('delivered_to', sa.String(length=200), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_mailmessage_created_by_user')),
        sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_mailmessage_cycle_id_cycle')),
        sa.ForeignKeyConstraint(['recipient_id'], ['recipient.id'],
                                name=op.f('fk_mailmessage_recipient_id_recipient')),
        sa.ForeignKeyConstraint(['reply_link_id'], ['replylink.id'],
                                name=op.f('fk_mailmessage_reply_link_id_replylink')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mailmessage_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mailmessage')),
        sa.UniqueConstraint('key', name=op.f('uq_mailmessage_key')),
    )
    with op.batch_alter_table('mailmessage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mailmessage_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailmessage_next_try_at'), ['next_try_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailmessage_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mailmessage_status'), ['status'], unique=False)
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days_before', sa.Integer(), nullable=False, server_default='7'))
        batch_op.add_column(sa.Column('reminders_after', sa.Integer(), nullable=False, server_default='2'))
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders_paused', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('recipient', schema=None) as batch_op:
        batch_op.drop_column('reminders_paused')
    with op.batch_alter_table('neighbourhood', schema=None) as batch_op:
        batch_op.drop_column('reminders_after')
        batch_op.drop_column('reminder_days_before')
    with op.batch_alter_table('mailmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mailmessage_status'))
        batch_op.drop_index(batch_op.f('ix_mailmessage_recipient_id'))
        batch_op.drop_index(batch_op.f('ix_mailmessage_next_try_at'))
        batch_op.drop_index(batch_op.f('ix_mailmessage_cycle_id'))
    op.drop_table('mailmessage')
