<#import "template.ftl" as layout>
<#-- Where activation and reset links land: choose a new password. -->
<#assign confirmError = messagesPerField.existsError('password-confirm')>
<#-- Keycloak reports a password-policy failure as a form-wide error; it belongs under the new password. -->
<#assign policyError = message?has_content && message.type == 'error' && !messagesPerField.existsError('password','password-confirm')>
<#assign newError = messagesPerField.existsError('password') || policyError>
<@layout.registrationLayout displayMessage=!(newError || confirmError); section>
    <#if section = "header">
        ${msg("wwUpdatePasswordTitle")}
    <#elseif section = "form">
        <p class="ww-lead">${msg("wwUpdatePasswordLead")}</p>
        <form id="kc-passwd-update-form" class="ww-form" onsubmit="login.disabled = true; return true;" action="${url.loginAction}" method="post">
            <#-- Lets password managers store the new password under the right account. -->
            <#if (auth.attemptedUsername)?has_content>
                <input type="text" name="ww-username" autocomplete="username" value="${auth.attemptedUsername}" hidden>
            </#if>
            <div class="ww-field">
                <label for="password-new" class="ww-label">${msg("wwNewPasswordLabel")}</label>
                <div class="ww-input-group" dir="ltr">
                    <input type="password" id="password-new" name="password-new" class="ww-input" autofocus autocomplete="new-password"
                           aria-describedby="ww-password-hint<#if newError> input-error-password</#if>"<#if newError> aria-invalid="true"</#if>/>
                    <button type="button" class="ww-pw-toggle" aria-controls="password-new" aria-label="${msg('showPassword')}" data-password-toggle
                            data-icon-show="ww-eye" data-icon-hide="ww-eye ww-eye--off"
                            data-label-show="${msg('showPassword')}" data-label-hide="${msg('hidePassword')}"><i class="ww-eye" aria-hidden="true"></i></button>
                </div>
                <p id="ww-password-hint" class="ww-hint"><#if (passwordPolicies.length)?has_content>${msg("wwPasswordHintLength", passwordPolicies.length?c)} </#if>${msg("wwPasswordHint")}</p>
                <#if newError>
                    <p id="input-error-password" class="ww-field-error">${kcSanitize(policyError?then(message.summary, messagesPerField.get('password')))?no_esc}</p>
                </#if>
            </div>

            <div class="ww-field">
                <label for="password-confirm" class="ww-label">${msg("wwConfirmPasswordLabel")}</label>
                <div class="ww-input-group" dir="ltr">
                    <input type="password" id="password-confirm" name="password-confirm" class="ww-input" autocomplete="new-password"
                           <#if confirmError>aria-invalid="true" aria-describedby="input-error-password-confirm"</#if>/>
                    <button type="button" class="ww-pw-toggle" aria-controls="password-confirm" aria-label="${msg('showPassword')}" data-password-toggle
                            data-icon-show="ww-eye" data-icon-hide="ww-eye ww-eye--off"
                            data-label-show="${msg('showPassword')}" data-label-hide="${msg('hidePassword')}"><i class="ww-eye" aria-hidden="true"></i></button>
                </div>
                <#if confirmError>
                    <p id="input-error-password-confirm" class="ww-field-error">${kcSanitize(messagesPerField.get('password-confirm'))?no_esc}</p>
                </#if>
            </div>

            <div id="kc-form-options" class="ww-check">
                <input type="checkbox" id="logout-sessions" name="logout-sessions" value="on">
                <label for="logout-sessions">${msg("wwLogoutOtherSessions")}</label>
            </div>

            <div id="kc-form-buttons" class="ww-actions">
                <input name="login" id="kc-update-password" class="ww-btn ww-btn--primary ww-btn--block" type="submit" value="${msg("wwSavePassword")}"/>
                <#if isAppInitiatedAction??>
                    <button class="ww-btn ww-btn--secondary ww-btn--block" type="submit" name="cancel-aia" value="true">${msg("doCancel")}</button>
                </#if>
            </div>
        </form>
        <script type="module" src="${url.resourcesPath}/js/passwordVisibility.js"></script>
    </#if>
</@layout.registrationLayout>
