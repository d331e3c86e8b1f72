"""outcomes: questionnaires of an initiative (pupils, teachers), their questions, pupils' answers per sign-up
(before / after / each; never a name) and teachers' one-time links (only the token's SHA-256 is kept)

Revision ID: 2026_12_07_outcomes
Revises: 2026_12_07_artists
Create Date: 2026-12-07 06:48:07.804359

"""
import sqlalchemy as sa
from alembic import op


revision = '2026_12_07_outcomes'
down_revision = "2026_12_07_artists"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('timing', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("audience IN ('students', 'teachers')", name=op.f('ck_questionnaire_audience_valid')),
    sa.CheckConstraint("timing IN ('before_after', 'after_each')", name=op.f('ck_questionnaire_timing_valid')),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('fk_questionnaire_initiative_id_initiative'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
    sa.UniqueConstraint('initiative_id', 'audience', name='uq_questionnaire_audience')
    )
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_initiative_id'), ['initiative_id'], unique=False)

    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('scale5', 'yesno', 'text')", name=op.f('ck_question_kind_valid')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_question_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
    sa.UniqueConstraint('questionnaire_id', 'key', name='uq_question_key')
    )
    op.create_table('teacher_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_teacher_link_school_id_school')),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_teacher_link_workshop_id_workshop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teacher_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_teacher_link_token_hash')),
    sa.UniqueConstraint('workshop_id', 'school_id', name='uq_teacher_link_workshop_school')
    )
    with op.batch_alter_table('teacher_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teacher_link_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_teacher_link_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=6), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("phase IN ('before', 'after', 'each')", name=op.f('ck_response_phase_valid')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_response_recorded_by_id_user')),
    sa.ForeignKeyConstraint(['signup_id'], ['signup.id'], name=op.f('fk_response_signup_id_signup'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshop.id'], name=op.f('fk_response_workshop_id_workshop')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sa.UniqueConstraint('signup_id', 'phase', name='uq_response_signup_phase')
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_workshop_id'), ['workshop_id'], unique=False)



def downgrade():
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_response_workshop_id'))

    op.drop_table('response')
    with op.batch_alter_table('teacher_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teacher_link_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_teacher_link_school_id'))

    op.drop_table('teacher_link')
    op.drop_table('question')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_initiative_id'))

    op.drop_table('questionnaire')
